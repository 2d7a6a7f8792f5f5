package io.flashsale.console;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.flashsale.support.Fixtures;
import io.flashsale.support.SaleLoad;
import io.flashsale.support.Tokens;
import io.flashsale.support.Waitlists;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.NoSuchElementException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operator console in a real browser (Debian's headless Chromium, installed by
 * {@code scripts/services.sh browser}): an operator pastes a token, is told why a bad sale is
 * refused, creates a sale, and watches the live numbers follow what the crowd was told, payments
 * and the waitlist; DEAD outbox events are listed with their error and requeued. Every wait is
 * explicit (until the page shows the value), so a loaded machine only makes it slower.
 */
@QuarkusTest
class ConsoleBrowserTests {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int PRICE_CENTS = 1999;

    @TestHTTPResource("/console/")
    URL console;

    @Inject
    Fixtures fixtures;

    private ChromeDriverService service;
    private WebDriver browser;
    private Path profile;

    @BeforeEach
    void openBrowser() throws IOException {
        assertTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Chromium and chromedriver are missing: run scripts/services.sh browser (scripts/test.sh does)");
        profile = Files.createTempDirectory("flashsale-console-chromium");
        service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort()
                .withLogFile(new File("target/chromedriver.log")).build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // as root Chromium needs --no-sandbox; without the background-networking flags it keeps
        // trying to reach Google services, which a closed network refuses
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1500,1250", "--user-data-dir=" + profile);
        // the page's console messages (errors of its script) go into a failing wait's message
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        browser = new ChromeDriver(service, options);
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void anOperatorCreatesASaleAndWatchesTheCrowdBuyIt() throws Exception {
        signIn();

        // a refused sale: the problem+json detail is shown and the field marked
        type("f-stock", "0");
        browser.findElement(By.id("create-submit")).click();
        waitFor("the validation message for stock", () -> text("create-error").contains("stock"));
        assertTrue(text("create-error").startsWith("INVALID_REQUEST"), text("create-error"));
        assertTrue(browser.findElement(By.id("f-stock")).getAttribute("class").contains("invalid"));
        type("f-endsAt", "2001-01-01T00:00:00Z");
        type("f-stock", "150");
        browser.findElement(By.id("create-submit")).click();
        waitFor("the validation message for endsAt", () -> text("create-error").contains("'endsAt' must be after"));

        int stock = 150;
        type("f-sku", "CONSOLE-" + UUID.randomUUID().toString().substring(0, 6));
        type("f-priceCents", Integer.toString(PRICE_CENTS));
        type("f-stock", Integer.toString(stock));
        type("f-endsAt", java.time.Instant.now().plus(Duration.ofHours(1)).toString());
        browser.findElement(By.id("create-submit")).click();
        waitFor("the created sale", () -> text("create-result").startsWith("Sale "));
        assertEquals("", text("create-error"));
        Matcher created = Pattern.compile("Sale (\\d+) created").matcher(text("create-result"));
        assertTrue(created.find(), text("create-result"));
        long saleId = Long.parseLong(created.group(1));
        waitFor("the new sale in the list", () -> !browser.findElements(
                By.cssSelector("#sales-table tr[data-sale-id='" + saleId + "']")).isEmpty());
        // the form opened its live view
        waitFor("the live stream", () -> text("live-connection").equals("live"));
        waitFor("the live units", () -> text("live-available").equals(Integer.toString(stock)));
        assertEquals("0", text("live-paid"));
        assertEquals("ACTIVE", text("live-state"));

        // a crowd buys until it is sold out; the screenshot is taken while sold-out answers still pour in
        List<SaleLoad.Answer> answers;
        try (SaleLoad crowd = SaleLoad.start(saleId, 4)) {
            waitFor("the sale sold out on the page", () -> text("live-available").equals("0"));
            waitFor("sold-out answers per second", () -> rate("409 SOLD_OUT") > 0);
            waitFor("a latency percentile", () -> text("live-p99").matches("[0-9.]+"));
            // one more snapshot, so the charts show the sold-out answers as a line, not a dot
            String shown = text("live-updated");
            waitFor("the next snapshot", () -> !text("live-updated").equals(shown) && rate("409 SOLD_OUT") > 0);
            screenshot();
            answers = crowd.stop();
        }
        Map<Integer, Long> byStatus = SaleLoad.byStatus(answers);
        assertEquals(Map.of(201, (long) stock, 409, (long) answers.size() - stock), byStatus,
                "each unit sold once, every other buyer told SOLD_OUT");

        // payments and the waitlist move the other figures
        List<String> orders = answers.stream().filter(a -> a.status() == 201).map(SaleLoad.Answer::orderId).toList();
        int paid = 7;
        for (String orderId : orders.subList(0, paid)) {
            given().contentType(ContentType.JSON)
                    .body("{\"paymentId\":\"psp-" + orderId + "\",\"amountCents\":" + PRICE_CENTS + "}")
                    .post("/api/orders/" + orderId + "/payment").then().statusCode(200);
        }
        for (int i = 0; i < 3; i++) {
            Waitlists.join(saleId, "console-waiter-" + saleId + "-" + i).then().statusCode(202);
        }

        waitFor("paid " + paid, () -> text("live-paid").equals(Integer.toString(paid)));
        waitFor("reserved " + (stock - paid), () -> text("live-reserved").equals(Integer.toString(stock - paid)));
        waitFor("waitlist 3", () -> text("live-waitlist").equals("3"));
        assertEquals("0", text("live-available"));
        assertEquals("SOLD_OUT", text("live-state"));
        waitFor("answer totals as the crowd was told", () -> total("201 CREATED") == stock
                && total("409 SOLD_OUT") == answers.size() - stock && total("202 WAITLISTED") == 3);
        // once the crowd stopped, nothing more is answered per second
        waitFor("quiet rates", () -> rate("201 CREATED") == 0 && rate("409 SOLD_OUT") == 0);
        assertEquals("[]", String.valueOf(browser.findElements(By.cssSelector("#live-problems li:not(.muted)"))
                .stream().map(WebElement::getText).toList()));
        // detection runs (HotKeyDetectionTests shows a hot flag); were this crowd above the hot threshold on a
        // fast machine, its flag clears after the cool-down
        waitFor("no hot key once the crowd stopped", () -> text("hotkeys").equals("none detected"));
    }

    @Test
    void deadEventsAreShownWithTheirErrorAndRequeued() {
        long saleId = fixtures.activeSale(5);
        String orderId = Fixtures.purchase(saleId, Fixtures.newBuyer()).then().statusCode(201).extract().path("orderId");
        String first = deadEvent(saleId, orderId, "TimeoutException: broker gone");
        String second = deadEvent(saleId, orderId, "RecordTooLargeException: 2 MB");

        signIn();
        By watch = By.cssSelector("#sales-table tr[data-sale-id='" + saleId + "'] button.watch");
        waitFor("the sale in the list", () -> !browser.findElements(watch).isEmpty());
        browser.findElement(watch).click();
        waitFor("the live stream", () -> text("live-connection").equals("live"));
        waitFor("the DEAD count of the database", () -> text("outbox-dead").equals(
                Long.toString(fixtures.count("SELECT COUNT(*) FROM outbox_events WHERE status = 'DEAD'"))));
        waitFor("both DEAD events", () -> deadRow(first) != null && deadRow(second) != null);
        assertTrue(deadRow(first).getText().contains("TimeoutException: broker gone"), deadRow(first).getText());
        assertTrue(deadRow(second).getText().contains("RecordTooLargeException: 2 MB"), deadRow(second).getText());

        deadRow(first).findElement(By.cssSelector("button.requeue")).click();
        waitFor("the requeued event gone from the list", () -> deadRow(first) == null);
        assertTrue(deadRow(second) != null);
        assertEquals(0, fixtures.count("SELECT COUNT(*) FROM outbox_events WHERE event_id = ? AND status = 'DEAD'", first));

        browser.findElement(By.id("dead-requeue-all")).click();
        waitFor("every DEAD event requeued", () -> deadRow(second) == null);
        assertEquals(0, fixtures.count("SELECT COUNT(*) FROM outbox_events WHERE event_id IN (?, ?) AND status = 'DEAD'",
                first, second));
        // the relay delivers them
        waitFor("both delivered", () -> fixtures.count("SELECT COUNT(*) FROM outbox_events WHERE event_id IN (?, ?)"
                + " AND status = 'PUBLISHED'", first, second) == 2);
    }

    // ------------------------------------------------------------------------------- helpers

    private void signIn() {
        browser.get(console.toString());
        waitFor("the console page", () -> text("token-status").startsWith("no token"));
        browser.findElement(By.id("token-input")).sendKeys(Tokens.operator());
        browser.findElement(By.id("token-use")).click();
        waitFor("the operator's identity", () -> text("token-status").startsWith("test-operator (operator)"));
        waitFor("the sales list", () -> !text("sales-message").contains("refused"));
    }

    private String deadEvent(long saleId, String orderId, String lastError) {
        long id = io.flashsale.common.OrderIds.parse(orderId).orElseThrow();
        String eventId = UUID.randomUUID().toString();
        fixtures.execute("INSERT INTO outbox_events (event_id, aggregate_id, event_type, payload, status, attempts,"
                + " next_attempt_at, last_error, created_at) VALUES ('" + eventId + "', " + id
                + ", 'flashsale.order.payment-reminder', '{\"eventId\":\"" + eventId + "\",\"type\":"
                + "\"flashsale.order.payment-reminder\",\"orderId\":\"" + orderId + "\",\"saleId\":" + saleId
                + ",\"userId\":\"x\",\"occurredAt\":\"2026-01-01T00:00:00Z\"}', 'DEAD', 10, NOW(6), '" + lastError
                + "', NOW(6))");
        return eventId;
    }

    private WebElement deadRow(String eventId) {
        List<WebElement> rows = browser.findElements(By.cssSelector("#dead-table tr[data-event-id='" + eventId + "']"));
        return rows.isEmpty() ? null : rows.get(0);
    }

    private void type(String id, String value) {
        WebElement input = browser.findElement(By.id(id));
        input.clear();
        input.sendKeys(value);
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText().trim();
    }

    /** The answers table's cell of one answer label; -1 while the row is not there. */
    private double cell(String label, String column) {
        List<WebElement> cells = browser.findElements(
                By.cssSelector("#answers-table tr[data-code='" + label + "'] td." + column));
        if (cells.isEmpty()) {
            return -1;
        }
        String value = cells.get(0).getText();
        return value.equals("–") ? -1 : Double.parseDouble(value);
    }

    private double rate(String label) {
        return cell(label, "rate");
    }

    private long total(String label) {
        return (long) cell(label, "total");
    }

    private void waitFor(String what, Supplier<Boolean> condition) {
        new WebDriverWait(browser, WAIT, Duration.ofMillis(100))
                .ignoring(StaleElementReferenceException.class).ignoring(NoSuchElementException.class)
                .withMessage(() -> "the console never showed " + what + "; page:\n" + pageText()
                        + "\nbrowser console:\n" + browserLog())
                .until(d -> condition.get());
    }

    private String browserLog() {
        try {
            return String.join("\n", browser.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll()
                    .stream().map(String::valueOf).toList());
        } catch (RuntimeException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private String pageText() {
        try {
            return browser.findElement(By.tagName("main")).getText();
        } catch (RuntimeException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** The page under load, for the README (docs/console.png is a copy of one). */
    private void screenshot() throws IOException {
        ((org.openqa.selenium.JavascriptExecutor) browser).executeScript("window.scrollTo(0, 0)");
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.createDirectories(Path.of("target"));
        Files.copy(shot.toPath(), Path.of("target/console.png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
