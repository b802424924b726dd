"""schemathesis hooks: the data media types the intake takes are sent as the raw text
schemathesis generates (it has no serializer of its own for them), so every operation is
exercised, including with bodies that are not valid data."""
import schemathesis


@schemathesis.serializer(
    "text/csv",
    "application/x-ndjson",
    "application/vnd.apache.parquet",
    "application/vnd.apache.arrow.stream",
    "application/vnd.apache.arrow.file",
)
def raw_text(ctx, value):
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogatepass")


@schemathesis.deserializer("text/yaml", "text/x-yaml", "application/x-yaml", "application/yaml", "text/vnd.yaml")
def yaml_text(ctx, response):
    # A manifest comes back as it was put: YAML text, possibly several documents (a
    # Backstage entity beside the AISystem). The document describes it as a string, and
    # a YAML stream is checked as that text, not parsed as one document.
    return response.content.decode("utf-8")
