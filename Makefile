# Developer commands. `make run` and `make test` set everything up on a fresh machine.
SHELL := /bin/bash

.PHONY: run test setup ui-test bench pot lint screenshots clean

run:
	bash tools/run.sh

test:
	bash tools/test.sh

setup:
	bash tools/setup.sh

bench:
	bash tools/bench.sh

pot:
	bash tools/i18n.sh

lint:
	bash tools/lint.sh

# make test, saving the browser checks' screenshots in docs/ (the README's) instead of .build/.
screenshots:
	SCREENSHOTS_DIR=$(CURDIR)/docs bash tools/test.sh

# Stops and deletes this checkout's PostgreSQL cluster (outside the checkout, see tools/common.sh).
clean:
	bash -c '. tools/common.sh && clean_checkout'
	rm -rf .build
