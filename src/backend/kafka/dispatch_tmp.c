/* Temporary until the codec branch is merged. */
#include "c.h"

#include "kafka/backend.h"
#include "utils/elog.h"

bool
KafkaProcessRequest(const uint8 *frame, size_t len, ConnOutBuf *out)
{
	elog(LOG, "closing connection from %s: no request handlers yet", MyClientAddr);
	return false;
}
