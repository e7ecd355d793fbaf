# Switchyard: the commands a newcomer runs. `make up` and `make test` are the two that matter.
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

DURATION ?= 60
CONNECTIONS ?= 50
# The gateway's port: `make up PORT=3001` runs it there, and the targets below talk to it there.
PORT ?= 3000
export PORT
GATEWAY_URL ?= http://127.0.0.1:$(PORT)
# `make up CLUSTER=3`: three nats-servers clustered on loopback (4222-4224) and a second gateway on PORT+1.
CLUSTER ?=
export CLUSTER
NATS_URL ?= $(if $(CLUSTER),$(shell seq -s, -f 'nats://127.0.0.1:%g' 4222 $$((4221 + $(CLUSTER)))),nats://127.0.0.1:4222)
# How many users instances `make up` starts in each language.
USERS_TS ?= 1
USERS_RB ?= 2
export USERS_TS USERS_RB
# With no users instance at all, no route of users.v1 has one behind it: wait for the gateway to answer.
READY_PATH = $(if $(and $(filter 0,$(USERS_TS)),$(filter 0,$(USERS_RB))),/healthz,/readyz)

.PHONY: help setup build up down smoke load-test users-ts users-rb test test-ts test-rb conformance fault-test check-deploy lint gen check-gen bench validate-proto gems

help:
	@echo "make up          set up and run the stack here (NATS, gateway :3000, users-ts, 2 x users-rb, inventory-ts); Ctrl-C stops it"
	@echo "make up DETACH=1 the same in the background (logs in .run/stack.log); make down stops it"
	@echo "make up USERS_TS=0 USERS_RB=0  the stack without users instances (start them with make users-ts / users-rb)"
	@echo "make up CLUSTER=3 the same on three clustered nats-servers, with a second gateway on :$$(($(PORT) + 1))"
	@echo "make users-ts    one more users-ts instance on the running stack, in this terminal (SWITCHYARD_DEPLOYMENT=...)"
	@echo "make users-rb    one more users-rb instance on the running stack, in this terminal (SWITCHYARD_DEPLOYMENT=...)"
	@echo "make smoke       one POST /users through the stack"
	@echo "make load-test   POST /users with $(CONNECTIONS) connections for $(DURATION) s (DURATION=, CONNECTIONS=)"
	@echo "make test        set up and run every test"
	@echo "make gen         regenerate code from proto/ for every language"
	@echo "make gems        build the Ruby gems switchyard-service, switchyard-protovalidate and switchyard-contracts (packages/*-rb)"
	@echo "make bench       gateway against the hand-written reference"
	@echo "make conformance the users conformance suite against users-ts and users-rb"
	@echo "make fault-test  rolling restarts, SIGTERM, kill -9 and a NATS restart under load"

setup:
	@scripts/setup.sh

build: setup
	npm run --silent build

up: build
ifeq ($(DETACH),1)
	@mkdir -p .run
	@setsid scripts/up.sh > .run/stack.log 2>&1 < /dev/null &
	@scripts/wait-for-ready $(GATEWAY_URL)$(READY_PATH) 60 && \
	  $(if $(CLUSTER),scripts/wait-for-ready http://127.0.0.1:$$(($(PORT) + 1))$(READY_PATH) 60 &&) \
	  echo "stack up: $(GATEWAY_URL)$(if $(CLUSTER), and http://127.0.0.1:$$(($(PORT) + 1)) on $(CLUSTER) clustered nats-servers) (logs: .run/stack.log; stop: make down)"
else
	@scripts/up.sh
endif

down:
	@scripts/down.sh

# One users instance more, in the foreground, on the NATS of a running `make up`, with the users
# role's credentials of that run (scripts/with-nats-role); Ctrl-C drains it.
users-ts: build
	@NATS_URL=$(NATS_URL) exec scripts/with-nats-role users node --enable-source-maps dist/users-ts.mjs

users-rb: setup
	@cd services/users-rb && NATS_URL=$(NATS_URL) exec ../../scripts/with-nats-role users bundle exec bin/users-rb

smoke:
	@curl -sS --fail-with-body -X POST -H 'Content-Type: application/json' \
	  -d '{"firstName":"Jane","lastName":"Doe"}' $(GATEWAY_URL)/users \
	  -w '\nHTTP %{http_code}\n'

load-test:
	@TARGET=$(GATEWAY_URL) DURATION=$(DURATION) CONNECTIONS=$(CONNECTIONS) npm run --silent load-test -w bench

test: setup lint check-gen test-ts test-rb check-deploy conformance fault-test

# buf/validate/validate.proto is not in the repository: print it from @bufbuild/protovalidate first.
validate-proto:
	@node scripts/validate-proto.mjs

lint: validate-proto
	buf lint proto
	tsc -p tsconfig.json

test-ts:
	npm test

# The field rules for Ruby, the Ruby SDK (its own tests on a test contract, and its gems packed,
# installed and served outside the repository), then users-rb on it.
test-rb:
	cd packages/protovalidate-rb && bundle exec rake
	cd packages/service-rb && bundle exec rake
	cd services/users-rb && bundle exec rake

# The Kubernetes manifests, rendered with `kubectl kustomize`, against the processes and deploy/.
check-deploy:
	node --import tsx --test deploy/kubernetes/test/*.test.ts

conformance:
	CONFORMANCE_TARGET='node --import tsx services/users-ts/src/main.ts' npm test -w @switchyard/conformance
	CONFORMANCE_TARGET='cd services/users-rb && exec bundle exec bin/users-rb' npm test -w @switchyard/conformance

# Restarts, SIGTERM, kill -9, a NATS restart and a 3-node NATS cluster's faults under load, real processes on loopback.
fault-test: setup
	npm run fault-test -w @switchyard/faults

# The Ruby gems (switchyard-service, switchyard-protovalidate, switchyard-contracts), built into their folders.
gems:
	cd packages/service-rb && gem build switchyard-service.gemspec
	cd packages/protovalidate-rb && gem build switchyard-protovalidate.gemspec
	cd packages/contracts-rb && gem build switchyard-contracts.gemspec

gen: setup validate-proto
	buf generate

# Generated code must be what `make gen` makes from proto/ now: regenerate aside and compare.
check-gen:
	@node scripts/validate-proto.mjs --check
	@rm -rf .run/gen && mkdir -p .run/gen
	@buf generate -o .run/gen
	@diff -r .run/gen/packages/contracts/src/gen packages/contracts/src/gen && \
	  diff -r .run/gen/packages/contracts-rb/lib/gen packages/contracts-rb/lib/gen && \
	  echo "generated code matches proto/" || \
	  { echo "generated code is out of date: run make gen and commit the result" >&2; exit 1; }
	@cd packages/service-rb && bundle exec rake check_gen
	@cd packages/protovalidate-rb && bundle exec rake check_gen

bench: setup
	npm run bench
