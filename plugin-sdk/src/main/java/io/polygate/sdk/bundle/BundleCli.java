package io.polygate.sdk.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Map;

/**
 * The {@code ./polygate bundle} command line.
 *
 * <pre>
 * bundle build &lt;dir&gt; [-o bundle.zip] [--key private.pem] [--strict]
 * bundle push &lt;bundle.zip&gt; --name NAME [--admin URL] [--secret S]
 * </pre>
 *
 * {@code push} POSTs the zip ({@code Content-Type: application/zip}) to
 * {@code <admin>/bundles?name=NAME} with the admin secret in {@code X-Polygate-Secret}, and prints
 * the JSON answer. The admin URL defaults to {@code $POLYGATE_ADMIN_URL}, else
 * {@code http://127.0.0.1:8081}; the secret to {@code $POLYGATE_ADMIN_SECRET}, else the demo
 * config's secret.
 *
 * <p>Exit status: 0 on success, 1 when the bundle is refused, the admin API answers an error or
 * cannot be reached, 2 on a usage error. Results go to stdout, errors and notes to stderr.
 */
public final class BundleCli {
    static final String SECRET_HEADER = "X-Polygate-Secret";
    static final String DEFAULT_ADMIN = "http://127.0.0.1:8081";
    /** The secret in the embedded demo config (host's polygate-default.yaml). */
    static final String DEMO_SECRET = "polygate-dev-secret";
    private static final ObjectMapper JSON = Json.PRETTY;

    private static final String USAGE = """
            usage: ./polygate bundle <command> [options]

              build <dir> [-o FILE] [--key PEM] [--strict]
                  zip <dir>/manifest.json and the files its file_list names into FILE (default bundle.zip),
                  writing checksum and, with --key, signature (Tyk's format); --strict adds
                  signature_strict, which also covers the manifest (needs --key)
              push <bundle.zip> --name NAME [--admin URL] [--secret S]
                  upload to the admin API (POST URL/bundles?name=NAME) and print its answer;
                  URL defaults to $POLYGATE_ADMIN_URL or http://127.0.0.1:8081,
                  S to $POLYGATE_ADMIN_SECRET or the demo config's secret
            """;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;
    private final Duration timeout;

    BundleCli(PrintStream out, PrintStream err, Map<String, String> env, Duration timeout) {
        this.out = out;
        this.err = err;
        this.env = env;
        this.timeout = timeout;
    }

    public static void main(String[] args) {
        System.exit(new BundleCli(System.out, System.err, System.getenv(), Duration.ofSeconds(120)).run(args));
    }

    /** A mistake in the command line; exit status 2. */
    private static final class UsageException extends Exception {
        UsageException(String message) { super(message); }
    }

    int run(String[] args) {
        try {
            if (args.length == 0 || isHelp(args[0])) {
                err.print(USAGE);
                return args.length == 0 ? 2 : 0;
            }
            List<String> rest = List.of(args).subList(1, args.length);
            return switch (args[0]) {
                case "build" -> build(rest);
                case "push" -> push(rest);
                default -> throw new UsageException("unknown command '" + args[0] + "'");
            };
        } catch (UsageException e) {
            err.println("polygate bundle: " + e.getMessage());
            err.print(USAGE);
            return 2;
        } catch (BundleException e) {
            err.println("polygate bundle: " + e.getMessage());
            return 1;
        }
    }

    private int build(List<String> args) throws UsageException, BundleException {
        String dir = null, output = "bundle.zip", key = null;
        boolean strict = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-o", "--output" -> output = value(args, ++i, a);
                case "-k", "--key" -> key = value(args, ++i, a);
                case "--strict" -> strict = true;
                case "-h", "--help" -> { err.print(USAGE); return 0; }
                default -> {
                    if (a.startsWith("-")) throw new UsageException("build: unknown option '" + a + "'");
                    if (dir != null) throw new UsageException("build: one folder only (got '" + dir + "' and '" + a + "')");
                    dir = a;
                }
            }
        }
        if (dir == null) throw new UsageException("build: which folder? (./polygate bundle build <dir> -o bundle.zip)");
        if (strict && key == null) throw new UsageException("build: --strict needs --key (the strict signature is made with the private key)");
        if (!Files.isDirectory(Path.of(dir))) throw new UsageException("build: '" + dir + "' is not a folder");

        RSAPrivateKey privateKey = key == null ? null : PemKeys.readPrivateKey(Path.of(key));
        BundleBuilder.Result r = BundleBuilder.fromDirectory(Path.of(dir)).signingKey(privateKey).strict(strict).build(Path.of(output));
        if (!r.signed()) err.println("polygate bundle: note: the bundle is unsigned (no --key); gateways with a public key configured will refuse it");
        out.println("wrote " + r.zip() + ": " + r.files().size() + " file(s) + manifest.json, checksum " + r.checksum()
                + (r.strict() ? ", signed (signature, signature_strict)" : r.signed() ? ", signed (signature)" : ", unsigned"));
        return 0;
    }

    private int push(List<String> args) throws UsageException {
        String zip = null, name = null;
        String admin = env.getOrDefault("POLYGATE_ADMIN_URL", DEFAULT_ADMIN);
        String secret = env.get("POLYGATE_ADMIN_SECRET");
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "-n", "--name" -> name = value(args, ++i, a);
                case "--admin" -> admin = value(args, ++i, a);
                case "--secret" -> secret = value(args, ++i, a);
                case "-h", "--help" -> { err.print(USAGE); return 0; }
                default -> {
                    if (a.startsWith("-")) throw new UsageException("push: unknown option '" + a + "'");
                    if (zip != null) throw new UsageException("push: one zip only (got '" + zip + "' and '" + a + "')");
                    zip = a;
                }
            }
        }
        if (zip == null) throw new UsageException("push: which zip? (./polygate bundle push bundle.zip --name NAME)");
        if (name == null || name.isBlank()) throw new UsageException("push: --name NAME is required (the name APIs refer to the bundle by)");
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
            throw new UsageException("push: --admin '" + admin + "' is not a URL like http://127.0.0.1:8081 (" + e.getMessage() + ")");
        }

        byte[] body;
        try {
            body = Files.readAllBytes(Path.of(zip));
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

    private static String value(List<String> args, int i, String option) throws UsageException {
        if (i >= args.size() || args.get(i).startsWith("-") && args.get(i).length() > 1)
            throw new UsageException(option + " needs a value");
        return args.get(i);
    }

    private static boolean isHelp(String a) { return a.equals("-h") || a.equals("--help") || a.equals("help"); }

}
