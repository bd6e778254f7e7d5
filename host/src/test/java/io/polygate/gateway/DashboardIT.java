package io.polygate.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.polygate.testing.BundleZips;
import io.polygate.testing.GatewayFixture;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The admin dashboard ({@code /ui/}, docs/dashboard.md) in headless Chromium driven by
 * chromedriver, against one real gateway: sign in, create an API and call it through the gateway,
 * see the server's validation errors beside their fields, upload a JS bundle and see it serve, see
 * the live counters move. Each test leaves a screenshot in {@code target/screenshots/}. Without
 * Chromium or chromedriver the class is skipped, except under {@code CI=true}, where it fails.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DashboardIT {
    static final List<String> BROWSERS = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
    static final List<String> DRIVERS = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    static final Duration PATIENCE = Duration.ofSeconds(15);
    /** A bundle's first GraalVM context takes seconds, more on a busy machine. */
    static final Duration BUNDLE_LOAD = Duration.ofSeconds(60);

    /** A failed test leaves the page as it was in {@code target/screenshots/dashboard-failed-<test>.png}. */
    @RegisterExtension
    static final TestWatcher SCREENSHOT_ON_FAILURE = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (browser == null) return;
            try {
                screenshot("failed-" + context.getRequiredTestMethod().getName());
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    };

    static GatewayFixture gw;
    static ChromeDriver browser;
    static WebDriverWait wait;

    @BeforeAll
    static void start() throws Exception {
        Path chromium = installed("Chromium", "CHROME_BIN", BROWSERS);
        Path chromedriver = installed("chromedriver", "CHROMEDRIVER", DRIVERS);
        Path dir = Files.createTempDirectory("polygate-dashboard");
        Files.createDirectories(dir.resolve("bundles"));
        gw = GatewayFixture.start("""
                bundles_dir: bundles
                plugins: {pool_size: 1}
                apis:
                  - {api_id: demo, listen_path: /demo, strip_listen_path: true, target_url: "echo://", auth: none}
                """, dir);
        ChromeOptions options = new ChromeOptions().setBinary(chromium.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = waiting(PATIENCE);
        Files.createDirectories(SCREENSHOTS);
    }

    /** A wait that looks again when a table was redrawn under it (the views redraw theirs on every change). */
    private static WebDriverWait waiting(Duration patience) {
        WebDriverWait w = new WebDriverWait(browser, patience);
        w.ignoring(StaleElementReferenceException.class);
        return w;
    }

    /** The program's path: {@code env} if set, else the first of {@code candidates} there is; absent: skipped, or failed under CI. */
    private static Path installed(String what, String env, List<String> candidates) {
        String given = System.getenv(env);
        for (String c : given != null ? List.of(given) : candidates) {
            if (Files.isExecutable(Path.of(c))) return Path.of(c);
        }
        String message = what + " not found (" + (given != null ? env + "=" + given : String.join(", ", candidates))
                + "): the dashboard's browser test needs it (apt-get install chromium chromium-driver; .ci/run installs them)";
        if ("true".equals(System.getenv("CI"))) fail(message);
        // an abort in @BeforeAll is counted as no test at all: say why where the build shows it
        org.slf4j.LoggerFactory.getLogger(DashboardIT.class).warn("DashboardIT skipped: {}", message);
        Assumptions.abort(message);
        return null;
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.quit();
        if (gw != null) gw.close();
    }

    @BeforeEach
    void signedIn() {
        if (browser.getCurrentUrl().startsWith(gw.adminUrl("/ui/").toString()) && !find("#tabs").isDisplayed()) signIn(GatewayFixture.SECRET);
    }

    @Test
    @Order(0)
    void theDashboardAndTheOpenApiDocumentNeedNoSecretAndTheAdminApiStillDoes() throws Exception {
        HttpResponse<String> page = anonymous("/ui/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(t -> assertThat(t).contains("default-src 'self'"));
        assertThat(anonymous("/ui").body()).as("without the /").isEqualTo(page.body());
        assertThat(anonymous("/ui/app.js").headers().firstValue("Content-Type")).as("a module script's type")
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/javascript"));
        HttpResponse<String> openapi = anonymous("/openapi.json");
        assertThat(openapi.statusCode()).isEqualTo(200);
        assertThat(GatewayFixture.json(openapi).path("openapi").asText()).startsWith("3.1");
        assertThat(anonymous("/apis").statusCode()).isEqualTo(401);
        assertThat(anonymous("/ui/no-such-file.js").statusCode()).as("not a public file: the admin API's answer").isEqualTo(401);
    }

    private static HttpResponse<String> anonymous(String path) throws Exception {
        return gw.adminWithSecret(null, "GET", path, null);
    }

    @Test
    @Order(1)
    void aWrongSecretIsRefusedAndTheRightOneIsKeptInTheTabOnly() throws IOException {
        browser.get(gw.adminUrl("/ui/").toString());
        signIn("not-the-secret");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-error")));
        assertThat(find("#sign-in-error").getText()).contains("admin secret missing or wrong");
        assertThat(find("#tabs").isDisplayed()).isFalse();

        signIn(GatewayFixture.SECRET);
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("tabs")));
        assertThat(((JavascriptExecutor) browser).executeScript("return sessionStorage.getItem('polygate.admin.secret')")).isEqualTo(GatewayFixture.SECRET);
        assertThat(browser.manage().getCookies()).as("no cookie holds the secret").isEmpty();
        screenshot("sign-in");
    }

    @Test
    @Order(2)
    void anApiCreatedInTheDashboardAnswersThroughTheGateway() throws Exception {
        tab("apis");
        wait.until(d -> cellsOf("#api-list", "demo") != null);
        editApi(Map.of("api_id", "orders", "listen_path", "/orders", "target_url", "echo://"));
        wait.until(d -> cellsOf("#api-list", "orders") != null);
        HttpResponse<String> answer = gw.get("/orders/list?page=2");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(GatewayFixture.json(answer).path("path").asText()).isEqualTo("/list");

        // edited: the new listen path serves, the old one is gone, and strip_listen_path (a field kept as it was) still holds
        rowOf("#api-list", "orders").findElement(By.cssSelector("button.edit")).click();
        WebElement form = find("#api-form");
        wait.until(ExpectedConditions.visibilityOf(form));
        assertThat(form.findElement(By.name("api_id")).getDomProperty("value")).isEqualTo("orders");
        WebElement listenPath = form.findElement(By.name("listen_path"));
        listenPath.clear();
        listenPath.sendKeys("/orders-v2");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        wait.until(d -> cellsOf("#api-list", "orders") != null && cellsOf("#api-list", "orders").get(1).equals("/orders-v2"));
        assertThat(GatewayFixture.json(gw.get("/orders-v2/list")).path("path").asText()).isEqualTo("/list");
        assertThat(gw.get("/orders/list").statusCode()).isEqualTo(404);
        screenshot("apis");
    }

    @Test
    @Order(3)
    void theServersValidationErrorsAreShownBesideTheirFields() throws Exception {
        tab("apis");
        editApi(Map.of("api_id", "broken", "listen_path", "nope", "target_url", "ftp://x"));
        wait.until(d -> !fieldError("#api-form", "listen_path").isEmpty());
        assertThat(fieldError("#api-form", "listen_path")).contains("must be a path starting with '/'");
        assertThat(fieldError("#api-form", "target_url")).contains("not a URL");
        assertThat(fieldError("#api-form", "api_id")).isEmpty();
        screenshot("validation-errors");
        assertThat(gw.get("/broken").statusCode()).as("nothing was added").isEqualTo(404);
        find("#api-cancel").click();
    }

    @Test
    @Order(4)
    void anUploadedBundleGoesLive() throws Exception {
        Path zip = Files.createTempFile("good-js", ".zip");
        Files.write(zip, BundleZips.build(Map.of(
                "manifest.json", Files.readString(Path.of("src/test/resources/bundles/good-js/manifest.json")),
                "middleware.js", Files.readString(Path.of("src/test/resources/bundles/good-js/middleware.js"))), null));
        tab("bundles");
        WebElement form = find("#bundle-form");
        form.findElement(By.name("name")).sendKeys("hello");
        form.findElement(By.name("zip")).sendKeys(zip.toAbsolutePath().toString());
        form.findElement(By.cssSelector("button[type=submit]")).click();
        // name, version, status, last error, APIs, what each node reports ("<node>: <version> ready")
        List<String> row = waiting(BUNDLE_LOAD).until(d -> {
            List<String> r = cellsOf("#bundle-list", "hello");
            return r != null && r.get(2).equals("ready") ? r : null;
        });
        assertThat(row.get(1)).as("version").matches("[0-9a-f]{12}");
        assertThat(row.get(3)).as("last error").isEmpty();
        assertThat(row.get(5)).as("this node's report").endsWith(": " + row.get(1) + " ready");

        tab("apis");
        editApi(Map.of("api_id", "hello", "listen_path", "/hello-js", "target_url", "echo://", "custom_middleware_bundle", "hello"));
        wait.until(d -> cellsOf("#api-list", "hello") != null);
        HttpResponse<String> answer = gw.get("/hello-js/");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(GatewayFixture.json(answer).path("headers").toString()).as("the hook's header reached the upstream").contains("X-Hello");
        tab("bundles");
        List<String> used = wait.until(d -> cellsOf("#bundle-list", "hello"));
        assertThat(used.get(4)).as("the API using it").isEqualTo("hello");
        screenshot("bundles");
    }

    @Test
    @Order(5)
    void keysAndPoliciesAreCreatedShownAndDeleted() throws Exception {
        tab("keys");
        find("#key-form button[type=submit]").click();
        String key = wait.until(d -> find("#key-created-value").getText().isEmpty() ? null : find("#key-created-value").getText());
        assertThat(gw.admin("GET", "/keys/" + key, null).statusCode()).as("the key exists").isEqualTo(200);
        List<String> keys = wait.until(d -> browser.findElements(By.cssSelector("#key-list tbody tr")).size() == 1
                ? cellsOf("#key-list", find("#key-list tbody td").getText()) : null);
        assertThat(keys.get(0)).as("listed by its hash").matches("[0-9a-f]{64}").isNotEqualTo(key);
        find("#key-list tbody button.delete").click();
        browser.switchTo().alert().accept();
        wait.until(d -> browser.findElements(By.cssSelector("#key-list tbody tr")).isEmpty());
        assertThat(gw.admin("GET", "/keys/" + key, null).statusCode()).as("deleted").isEqualTo(404);

        tab("policies");
        WebElement form = find("#policy-form");
        form.findElement(By.name("id")).sendKeys("gold");
        WebElement body = form.findElement(By.name("policy"));
        body.clear();
        body.sendKeys("{\"rate\": 10, \"per\": -1}");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        String problem = wait.until(d -> fieldError("#policy-form", "").isEmpty() ? null : fieldError("#policy-form", ""));
        assertThat(problem).as("a field the form has no input for: under the JSON, with its name").startsWith("per: ");
        body.clear();
        body.sendKeys("{\"rate\": 10, \"per\": 1}");
        form.findElement(By.cssSelector("button[type=submit]")).click();
        List<String> gold = wait.until(d -> cellsOf("#policy-list", "gold"));
        assertThat(gold.subList(1, 3)).containsExactly("10", "1");
        screenshot("policies");
        find("#policy-list tbody button.delete").click();
        browser.switchTo().alert().accept();
        wait.until(d -> cellsOf("#policy-list", "gold") == null);
        assertThat(gw.admin("GET", "/policies/gold", null).statusCode()).isEqualTo(404);
    }

    @Test
    @Order(6)
    void theLiveCountersMove() throws Exception {
        tab("live");
        wait.until(d -> !find("#requests-total").getText().equals("–"));
        long before = number("#requests-total");
        long errorsBefore = number("#errors-4xx");
        for (int i = 0; i < 5; i++) assertThat(gw.get("/demo/ping").statusCode()).isEqualTo(200);
        assertThat(gw.get("/no-such-api").statusCode()).isEqualTo(404);
        wait.until(d -> number("#requests-total") >= before + 6 && number("#errors-4xx") >= errorsBefore + 1);
        List<String> demo = wait.until(d -> cellsOf("#live-apis", "demo"));
        assertThat(Long.parseLong(demo.get(1))).as("demo's requests").isGreaterThanOrEqualTo(5);
        // the bundle uploaded before ran its hook on /hello-js/: its calls and p99 from polygate_hook_duration_seconds
        assertThat(gw.get("/hello-js/").statusCode()).isEqualTo(200);
        List<String> hook = wait.until(d -> {
            List<String> cells = cellsOf("#live-hooks", "hello");
            return cells != null && cells.get(1).matches("[0-9]+") && Long.parseLong(cells.get(1)) >= 2 ? cells : null;
        });
        assertThat(hook.get(2)).as("hello's hook p99").matches("[0-9]+\\.[0-9] ms");
        screenshot("live");
        assertThat(severeConsoleErrors()).as("the page's console").isEmpty();
    }

    private static void signIn(String secret) {
        WebElement field = find("#secret");
        field.clear();
        field.sendKeys(secret);
        find("#sign-in-form button[type=submit]").click();
    }

    private static void tab(String name) {
        find("button[data-tab=" + name + "]").click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id(name)));
    }

    /** Opens "New API", fills the fields (auth none, strip_listen_path), and saves. */
    private static void editApi(Map<String, String> fields) {
        find("#api-new").click();
        WebElement form = find("#api-form");
        wait.until(ExpectedConditions.visibilityOf(form));
        fields.forEach((name, value) -> {
            WebElement input = form.findElement(By.name(name));
            input.clear();
            input.sendKeys(value);
        });
        new Select(form.findElement(By.name("auth"))).selectByVisibleText("none");
        form.findElement(By.name("strip_listen_path")).click();
        form.findElement(By.cssSelector("button[type=submit]")).click();
    }

    private static String fieldError(String form, String field) {
        return find(form + " .field-error[data-field=\"" + field + "\"]").getText();
    }

    /** The cells' texts of the row of {@code table} whose first cell is {@code first}, or null. */
    private static List<String> cellsOf(String table, String first) {
        WebElement row = rowOf(table, first);
        return row == null ? null : row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
    }

    /** The row of {@code table} whose first cell is {@code first}, or null. */
    private static WebElement rowOf(String table, String first) {
        for (WebElement row : browser.findElements(By.cssSelector(table + " tbody tr"))) {
            List<WebElement> cells = row.findElements(By.tagName("td"));
            if (!cells.isEmpty() && cells.get(0).getText().equals(first)) return row;
        }
        return null;
    }

    private static long number(String selector) {
        String text = find(selector).getText();
        return text.matches("\\d+") ? Long.parseLong(text) : -1;
    }

    private static WebElement find(String selector) { return browser.findElement(By.cssSelector(selector)); }

    private static List<String> severeConsoleErrors() {
        return browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                // the answers the tests asked for (the refused sign-in, the bad API) are logged as failed loads
                .filter(m -> !m.contains("Failed to load resource"))
                .toList();
    }

    private static void screenshot(String name) throws IOException {
        Files.write(SCREENSHOTS.resolve("dashboard-" + name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
    }
}
