# imagepull as a container image: a static binary on an empty base, run as a non-root user.
#
#   docker build -t imagepull .
#   docker run --rm -v "$PWD:/work:ro" -w /work imagepull lint -f k8s/ -R
#
# Stage 1 builds with the Go toolchain; CGO_ENABLED=0 makes the binary static, so that the
# final stage needs no libc. The final stage is scratch plus the CA certificates (for
# resolve and --registry) and an unprivileged user (65532, as distroless's nonroot).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -buildvcs=false -trimpath -ldflags="-s -w" -o /out/imagepull ./cmd/imagepull

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/imagepull /imagepull
USER 65532:65532
ENTRYPOINT ["/imagepull"]
