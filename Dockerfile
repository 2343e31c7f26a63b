# The collector / agent image: one static kforensic binary, nothing else.
#   docker build -t kforensic:dev .
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends musl-tools && rm -rf /var/lib/apt/lists/* \
 && rustup target add x86_64-unknown-linux-musl
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release --locked --target x86_64-unknown-linux-musl \
 && cp target/x86_64-unknown-linux-musl/release/kforensic /kforensic

FROM scratch
COPY --from=build /kforensic /usr/local/bin/kforensic
# CA roots for --upload-from node over HTTPS (kforensic falls back to bundled roots without them)
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
USER 0
ENTRYPOINT ["/usr/local/bin/kforensic"]
CMD ["--help"]
