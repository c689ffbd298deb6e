/*
 * fuzz_config: libFuzzer target for config_load (the input becomes a
 * config file in a private folder) and match_compile (the input as an
 * expression).  Any crash, leak or sanitizer report is a finding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
conf_path(void)
{
	static char dir[] = "/tmp/fuzz_config.XXXXXX";
	static char *path;

	if (path == NULL) {
		if (mkdtemp(dir) == NULL)
			abort();
		if (asprintf(&path, "%s/feedd.conf", dir) == -1)
			abort();
	}
	return path;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config_errors errs = { NULL, 0 };
	struct match_expr *m;
	struct config *cfg;
	char *text, *err = NULL;
	FILE *fp;

	if ((fp = fopen(conf_path(), "w")) == NULL)
		abort();
	fwrite(data, 1, size, fp);
	fclose(fp);
	cfg = config_load(conf_path(), &errs);
	if (cfg == NULL && errs.n == 0)
		abort();	/* refused without saying why */
	config_free(cfg);
	config_errors_cleanup(&errs);

	text = strndup((const char *)data, size);
	if ((m = match_compile(text, &err)) == NULL && err == NULL)
		abort();
	if (m != NULL)
		(void)match_sql(m);
	match_free(m);
	free(err);
	free(text);
	return 0;
}
