# pgparity in a container: build with the Rust toolchain, ship only the binary.
#
#   docker build -t pgparity .
#   docker run --rm -v "$PWD:/work" pgparity check
#   docker run --rm -v "$PWD:/work" -e DATABASE_URL pgparity check --db
#
# The image runs as an unprivileged user in /work, where the project (with its
# pgparity.toml) is mounted.

# --- build stage: the toolchain pgparity's rust-version names, the locked dependencies
FROM rust:1.89-slim-bookworm AS builder
# native-tls builds against OpenSSL on Linux.
RUN apt-get update \
    && apt-get install -y --no-install-recommends pkg-config libssl-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin pgparity \
    && strip target/release/pgparity

# --- runtime stage: the binary, OpenSSL and the system CA certificates (sslmode=verify-full)
FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates libssl3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 pgparity
COPY --from=builder /src/target/release/pgparity /usr/local/bin/pgparity
USER pgparity
WORKDIR /work
ENTRYPOINT ["pgparity"]
CMD ["check"]
