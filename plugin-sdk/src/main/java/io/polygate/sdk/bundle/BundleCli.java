package io.polygate.sdk.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.polygate.sdk.cli.CommandLines;
import io.polygate.sdk.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The {@code polygate bundle} command line (picocli; {@code --help} on each command).
 *
 * <pre>
 * bundle build &lt;dir&gt; [-o bundle.zip] [--key private.pem] [--strict]
 * bundle push &lt;bundle.zip&gt; --name NAME [--admin URL] [--secret S]
 * bundle verify &lt;bundle.zip or dir&gt; [--key public.pem] [--strict]
 * </pre>
 *
 * {@code push} POSTs the zip ({@code Content-Type: application/zip}) to
 * {@code <admin>/bundles?name=NAME} with the admin secret in {@code X-Polygate-Secret}, and prints
 * the JSON answer. The admin URL defaults to {@code $POLYGATE_ADMIN_URL}, else
 * {@code http://127.0.0.1:8081}; the secret to {@code $POLYGATE_ADMIN_SECRET}, else the demo
 * config's secret. {@code verify} checks a bundle as a gateway would before loading it: safe
 * unpacking, {@code file_list}, {@code checksum} and, with {@code --key}, {@code signature}
 * ({@code signature_strict} too with {@code --strict}).
 *
 * <p>Exit status: 0 on success, 1 when the bundle is refused, the admin API answers an error or
 * cannot be reached, 2 on a usage error. Results go to stdout, errors and notes to stderr.
 */
@Command(name = "bundle", mixinStandardHelpOptions = true,
        description = "Build, check and upload plugin bundles in Tyk's format (docs/bundles.md).")
public final class BundleCli {
    static final String SECRET_HEADER = "X-Polygate-Secret";
    static final String DEFAULT_ADMIN = "http://127.0.0.1:8081";
    /** The secret in the embedded demo config (host's polygate-default.yaml). */
    static final String DEMO_SECRET = "polygate-dev-secret";
    private static final ObjectMapper JSON = Json.PRETTY;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Duration timeout;

    @Spec
    private CommandSpec spec;

    /** {@code env}: where POLYGATE_ADMIN_URL and POLYGATE_ADMIN_SECRET are read; {@code timeout}: of an upload. */
    public BundleCli(PrintStream out, PrintStream err, Map<String, String> env, Duration timeout) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.timeout = timeout;
    }

    public static void main(String[] args) {
        System.exit(new BundleCli(System.out, System.err, System.getenv(), Duration.ofSeconds(120)).run(args));
    }

    /** Runs one command line ({@code build ...}, {@code push ...}, {@code verify ...}); its exit status. */
    int run(String... args) {
        return CommandLines.create(this, out, err).setCommandName("polygate bundle").execute(args);
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = {"Zip <dir>/manifest.json and the files its file_list names, writing checksum and,",
                    "with --key, signature (Tyk's format)."})
    int build(@Parameters(paramLabel = "DIR", description = "the bundle folder (holding manifest.json)") Path dir,
              @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "bundle.zip",
                      description = "the zip to write (default: ${DEFAULT-VALUE})") Path output,
              @Option(names = {"-k", "--key"}, paramLabel = "PEM", description = "RSA private key to sign with") Path key,
              @Option(names = "--strict", description = "also write signature_strict, which covers the manifest too (needs --key)") boolean strict) {
        if (strict && key == null) throw usage("build", "--strict needs --key (the strict signature is made with the private key)");
        if (!Files.isDirectory(dir)) throw usage("build", "'" + dir + "' is not a folder");
        try {
            RSAPrivateKey privateKey = key == null ? null : PemKeys.readPrivateKey(key);
            BundleBuilder.Result r = BundleBuilder.fromDirectory(dir).signingKey(privateKey).strict(strict).build(output);
            if (!r.signed()) err.println("polygate bundle: note: the bundle is unsigned (no --key); gateways with a public key configured will refuse it");
            out.println("wrote " + r.zip() + ": " + r.files().size() + " file(s) + manifest.json, checksum " + r.checksum()
                    + (r.strict() ? ", signed (signature, signature_strict)" : r.signed() ? ", signed (signature)" : ", unsigned"));
            return 0;
        } catch (BundleException e) {
            return refused(e);
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Check a bundle as a gateway does before loading it: safe unpacking, file_list,",
                    "checksum and, with --key, signature (and signature_strict with --strict)."})
    int verify(@Parameters(paramLabel = "BUNDLE", description = "a bundle zip or folder") Path bundle,
               @Option(names = {"-k", "--key"}, paramLabel = "PEM", description = "RSA public key the gateway is configured with") Path key,
               @Option(names = "--strict", description = "require signature_strict (needs --key)") boolean strict) {
        if (strict && key == null) throw usage("verify", "--strict needs --key (signatures are checked with the public key)");
        if (!Files.exists(bundle)) throw usage("verify", "'" + bundle + "': no such file or folder");
        String name = String.valueOf(bundle.getFileName()).replaceFirst("\\.zip$", "");
        Path unpacked = null;
        try {
            BundleVerifier verifier = key == null ? BundleVerifier.checksumOnly() : BundleVerifier.withPublicKey(PemKeys.readPublicKey(key));
            if (strict) verifier = verifier.requireStrictSignature();
            Path root = bundle;
            if (!Files.isDirectory(bundle)) {
                unpacked = Files.createTempDirectory("polygate-bundle-verify");
                root = BundleArchive.extract(name, bundle, unpacked.resolve(name), BundleLimits.defaults());
            }
            BundleVerifier.Result r = verifier.verify(name, BundleVerifier.readManifest(name, root), root);
            out.println("bundle " + name + ": checksum " + r.checksum() + " matches"
                    + (r.strictVerified() ? ", signature and signature_strict verified" : r.signatureVerified() ? ", signature verified" : ", signature not checked (no --key)"));
            return 0;
        } catch (BundleException e) {
            return refused(e);
        } catch (IOException e) {
            err.println("polygate bundle: verify: " + e.getMessage());
            return 1;
        } finally {
            if (unpacked != null) BundleArchive.deleteTree(unpacked);
        }
    }

    @Command(name = "push", mixinStandardHelpOptions = true,
            description = {"Upload a bundle zip to the admin API (POST URL/bundles?name=NAME) and print its answer."})
    int push(@Parameters(paramLabel = "ZIP", description = "the bundle zip") Path zip,
             @Option(names = {"-n", "--name"}, required = true, paramLabel = "NAME", description = "the name APIs refer to the bundle by") String name,
             @Option(names = "--admin", paramLabel = "URL", description = "the admin API (default: $POLYGATE_ADMIN_URL, else " + DEFAULT_ADMIN + ")") String adminOption,
             @Option(names = "--secret", paramLabel = "S", description = "the admin secret (default: $POLYGATE_ADMIN_SECRET, else the demo config's)") String secretOption) {
        String admin = adminOption != null ? adminOption : env.getOrDefault("POLYGATE_ADMIN_URL", DEFAULT_ADMIN);
        String secret = secretOption != null ? secretOption : env.get("POLYGATE_ADMIN_SECRET");
        if (name.isBlank()) throw usage("push", "--name must not be empty (the name APIs refer to the bundle by)");
        if (secret == null || secret.isEmpty()) {
            secret = DEMO_SECRET;
            err.println("polygate bundle: note: no --secret and no POLYGATE_ADMIN_SECRET; using the demo config's secret");
        }
        URI uri;
        try {
            String base = admin.endsWith("/") ? admin.substring(0, admin.length() - 1) : admin;
            uri = URI.create(base + "/bundles?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null)
                throw new IllegalArgumentException("not an http(s) URL");
        } catch (IllegalArgumentException e) {
            throw usage("push", "--admin '" + admin + "' is not a URL like http://127.0.0.1:8081 (" + e.getMessage() + ")");
        }

        byte[] body;
        try {
            body = Files.readAllBytes(zip);
        } catch (NoSuchFileException e) {
            err.println("polygate bundle: push: no such file '" + zip + "'");
            return 1;
        } catch (IOException e) {
            err.println("polygate bundle: push: cannot read '" + zip + "': " + e.getMessage());
            return 1;
        }

        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/zip")
                .header("Accept", "application/json")
                .header(SECRET_HEADER, secret)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        HttpResponse<String> response;
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (ConnectException e) {
            err.println("polygate bundle: push: cannot reach the admin API at " + admin + " (connection refused); is the gateway running? (set --admin URL)");
            return 1;
        } catch (HttpTimeoutException e) {
            err.println("polygate bundle: push: the admin API at " + admin + " did not answer within " + timeout.toSeconds() + " s");
            return 1;
        } catch (IOException e) {
            err.println("polygate bundle: push: request to " + uri + " failed: " + e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("polygate bundle: push: interrupted");
            return 1;
        }

        int status = response.statusCode();
        String text = pretty(response.body());
        if (status / 100 == 2) {
            out.println(text);
            return 0;
        }
        err.println("polygate bundle: push: " + name + " refused: HTTP " + status + errorMessage(response.body()));
        if (!text.isBlank()) err.println(text);
        return 1;
    }

    private static String errorMessage(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.hasNonNull("error")) return ": " + n.get("error").asText();
        } catch (IOException ignored) {
            // not JSON: the body is printed as it is
        }
        return "";
    }

    private static String pretty(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n == null ? body : JSON.writeValueAsString(n);
        } catch (IOException e) {
            return body;
        }
    }

    /** A usage error (exit status 2) of the subcommand {@code command}. */
    private ParameterException usage(String command, String problem) {
        return new ParameterException(spec.commandLine().getSubcommands().get(command), problem);
    }

    private int refused(BundleException e) {
        err.println("polygate bundle: " + e.getMessage());
        return 1;
    }
}
