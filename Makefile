# registry: PGXS build. The version lives only in registry.control.
EXTENSION    = registry
EXTVERSION   = $(shell sed -n "s/^default_version[[:space:]]*=[[:space:]]*'\([^']*\)'.*/\1/p" $(EXTENSION).control)

MODULE_big   = registry
OBJS         = $(patsubst %.c,%.o,$(wildcard src/*.c))
HEADERS      = $(wildcard src/*.h)

DATA_built   = sql/$(EXTENSION)--$(EXTVERSION).sql
DATA         = $(wildcard sql/$(EXTENSION)--*--*.sql)

TESTS        = $(sort $(wildcard test/sql/*.sql))
REGRESS      = $(patsubst test/sql/%.sql,%,$(TESTS))
REGRESS_OPTS = --inputdir=test --outputdir=. --load-extension=pgtap --load-extension=registry
ISOLATION    = $(patsubst test/specs/%.spec,%,$(sort $(wildcard test/specs/*.spec)))
ISOLATION_OPTS = --inputdir=test --outputdir=. --load-extension=registry

PG_CPPFLAGS  = -DREGISTRY_VERSION='"$(EXTVERSION)"' -Isrc
PG_CFLAGS    = -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers
ifdef WERROR
PG_CFLAGS   += -Werror
endif

EXTRA_CLEAN  = sql/$(EXTENSION)--$(EXTVERSION).sql

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

sql/$(EXTENSION)--$(EXTVERSION).sql: sql/$(EXTENSION).sql $(EXTENSION).control
	cp $< $@

# The library reports the version it was built for: rebuild when it changes.
src/registry.o: $(EXTENSION).control

.PHONY: print-version
print-version:
	@echo $(EXTVERSION)
