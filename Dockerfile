# The collector / agent image: one static kforensic binary, nothing else, for the architecture it
# is built on (or for each --platform with docker buildx). `kforensic image save|push` makes the
# same kind of image from a binary without Docker.
#   docker build -t kforensic:dev .
FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends musl-tools && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN t="$(uname -m)-unknown-linux-musl" && rustup target add "$t" \
 && cargo build --release --locked --target "$t" \
 && cp "target/$t/release/kforensic" /kforensic

FROM scratch
COPY --from=build /kforensic /usr/local/bin/kforensic
# CA roots for --upload-from node over HTTPS (kforensic falls back to bundled roots without them)
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
USER 0
ENTRYPOINT ["/usr/local/bin/kforensic"]
CMD ["--help"]
