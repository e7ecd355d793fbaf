# syntax=docker/dockerfile:1
# users.v1.UserService in Ruby (services/users-rb, on the gems in packages/service-rb,
# packages/protovalidate-rb and packages/contracts-rb, which its Gemfile takes by path). Build context: the repository root
# (docker compose -f deploy/compose.yaml build users-rb, or docker build -f deploy/users-rb.Dockerfile .).

# The gems, compiled here: google-protobuf (built from source by Bundler 2.3), json, bigdecimal
# and ed25519 have C extensions, so this stage has a compiler; the image below does not.
FROM ruby:3.1-slim-bookworm AS gems
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
# Bundler reads the path gems' gemspecs (and their version files) to resolve the lockfile.
COPY packages/service-rb/ /app/packages/service-rb/
COPY packages/protovalidate-rb/ /app/packages/protovalidate-rb/
COPY packages/contracts-rb/ /app/packages/contracts-rb/
WORKDIR /app/services/users-rb
COPY services/users-rb/Gemfile services/users-rb/Gemfile.lock ./
# The ruby image sets GEM_HOME and BUNDLE_APP_CONFIG to /usr/local/bundle: the gems and this
# --local config (no development group, lockfile frozen) land there, and travel together to the
# image below, where `bundle exec` then does not look for the development gems either.
RUN bundle config set --local without development \
 && bundle config set --local frozen true \
 && bundle install --jobs 4 \
 && rm -rf /usr/local/bundle/cache

FROM ruby:3.1-slim-bookworm
RUN useradd --create-home --uid 1000 --user-group app
COPY --from=gems /usr/local/bundle /usr/local/bundle
# Path gems are loaded from their folders, not installed into /usr/local/bundle.
COPY packages/service-rb/lib/ /app/packages/service-rb/lib/
COPY packages/service-rb/switchyard-service.gemspec /app/packages/service-rb/
COPY packages/protovalidate-rb/lib/ /app/packages/protovalidate-rb/lib/
COPY packages/protovalidate-rb/switchyard-protovalidate.gemspec /app/packages/protovalidate-rb/
COPY packages/contracts-rb/lib/ /app/packages/contracts-rb/lib/
COPY packages/contracts-rb/switchyard-contracts.gemspec /app/packages/contracts-rb/
WORKDIR /app/services/users-rb
COPY services/users-rb/ ./
# Smoke test: the gems load without a compiler around, and so does the service's code.
RUN bundle exec ruby -e 'require "./lib/users"'

USER app
# On SIGTERM the service stops taking requests, finishes those in flight, drains NATS, exits 0.
STOPSIGNAL SIGTERM
# Exec form, as `cd services/users-rb && bundle exec bin/users-rb` in `make up`: bundle exec loads
# the script in its own process (PID 1, no shell in between), which gets the SIGTERM.
CMD ["bundle", "exec", "bin/users-rb"]
