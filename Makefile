# Makefile for the session extension (PGXS)

EXTENSION = session
MODULE_big = session
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c src/codec/*.c)))
PGFILEDESC = "session - session store for web applications"

# Install scripts are sql/session--VERSION.sql and upgrade scripts
# sql/session--FROM--TO.sql; a released one is never edited again.  Every
# other file in sql/ is a regression test.
DATA = $(sort $(wildcard sql/session--*.sql))
REGRESS = $(sort $(basename $(notdir $(filter-out $(DATA),$(wildcard sql/*.sql)))))
ISOLATION = $(sort $(basename $(notdir $(wildcard specs/*.spec))))

PG_CPPFLAGS = -Isrc $(shell pkg-config --cflags json-c) -I$(shell $(PG_CONFIG) --includedir)
SHLIB_LINK = $(shell pkg-config --libs json-c) -lcrypto -lz -L$(shell $(PG_CONFIG) --libdir) -lpq

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# Every object is rebuilt when any header changes.
$(OBJS): $(wildcard src/*.h src/codec/*.h)
