# Makefile for the session extension (PGXS)

EXTENSION = session
MODULE_big = session
OBJS = $(patsubst %.c,%.o,$(sort $(wildcard src/*.c src/codec/*.c)))
PGFILEDESC = "session - session store for web applications"

# The install script is assembled from ordered pieces, one per concern.
DATA_built = session--1.0.sql
EXTRA_CLEAN = session--1.0.sql

REGRESS = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --load-extension=plpgsql
ISOLATION = $(sort $(basename $(notdir $(wildcard specs/*.spec))))

PG_CPPFLAGS = -Isrc $(shell pkg-config --cflags json-c)
SHLIB_LINK = $(shell pkg-config --libs json-c) -lcrypto -lz

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

session--1.0.sql: $(sort $(wildcard sql/install/*.sql))
	cat $^ > $@
