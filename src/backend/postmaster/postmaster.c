#include "c.h"
#include "postmaster/postmaster.h"
int
PostmasterMain(int argc, char *argv[])
{
	exit(1);
}
