/*-------------------------------------------------------------------------
 *
 * main.c
 *	  Entry point of the strata server binary.
 *
 *	  strata --version | --describe-config[=markdown|conf] |
 *		--describe-metrics[=markdown] | -D DATADIR [-c name=value]...
 *
 * src/backend/main/main.c
 *
 *-------------------------------------------------------------------------
 */
#include "c.h"

#include "postmaster/postmaster.h"
#include "utils/elog.h"
#include "utils/guc.h"
#include "utils/metrics.h"
#include "utils/sanitizer.h"

static void
usage(FILE *out)
{
	fprintf(out,
			"strata is the Strata streaming server.\n\n"
			"Usage:\n"
			"  strata -D DATADIR [-c name=value]...\n"
			"  strata --describe-config[=markdown|conf]\n"
			"  strata --describe-metrics[=markdown]\n"
			"  strata --version\n\n"
			"Options:\n"
			"  -D DATADIR          data directory (holds strata.conf)\n"
			"  -c name=value       set a setting, overriding strata.conf\n"
			"  --describe-config   list every setting (tab-separated); =markdown gives the\n"
			"                      settings reference, =conf a sample strata.conf\n"
			"  --describe-metrics  list every metric of the metrics endpoint (tab-separated);\n"
			"                      =markdown gives the metrics reference\n");
}

int
main(int argc, char *argv[])
{
	if (argc > 1)
	{
		if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0)
		{
			printf("strata (Strata) %s\n", PACKAGE_VERSION);
			return 0;
		}
		if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-?") == 0)
		{
			usage(stdout);
			return 0;
		}
		if (strncmp(argv[1], "--describe-config", 17) == 0)
		{
			const char *fmt = argv[1][17] == '=' ? argv[1] + 18 : "";

			GucInitDefaults();
			if (strcmp(fmt, "markdown") == 0)
				GucWriteDocs(stdout);
			else if (strcmp(fmt, "conf") == 0)
				GucWriteSampleConf(stdout);
			else if (fmt[0] == '\0')
				GucDescribe(stdout);
			else
			{
				fprintf(stderr, "strata: unknown format \"%s\" for --describe-config (use markdown or conf)\n", fmt);
				return 1;
			}
			return 0;
		}
	}
	if (argc > 1 && strncmp(argv[1], "--describe-metrics", 18) == 0)
	{
		const char *fmt = argv[1][18] == '=' ? argv[1] + 19 : "";

		if (strcmp(fmt, "markdown") == 0)
			MetricsWriteDocs(stdout);
		else if (fmt[0] == '\0')
			MetricsDescribe(stdout);
		else
		{
			fprintf(stderr, "strata: unknown format \"%s\" for --describe-metrics (use markdown)\n", fmt);
			return 1;
		}
		return 0;
	}
	PostmasterMain(argc, argv);
}

