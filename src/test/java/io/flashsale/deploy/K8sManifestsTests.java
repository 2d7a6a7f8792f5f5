package io.flashsale.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.jandex.AnnotationInstance;
import org.jboss.jandex.ClassInfo;
import org.jboss.jandex.DotName;
import org.jboss.jandex.Index;
import org.jboss.jandex.Indexer;
import org.jboss.jandex.MethodInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Renders every kustomization under {@code k8s/} with {@code kubectl kustomize} (which fails on a
 * broken kustomization or YAML) and checks the project's own rules on what it renders:
 * <ul>
 * <li>both roles are deployed, each with its {@code FLASHSALE_ROLE};</li>
 * <li>every ConfigMap/Secret reference resolves to a rendered key (or, for the Secret an overlay
 * leaves to the cluster, a key of base's template); the ConfigMap carries the settings the
 * service needs, the Secret the credentials;</li>
 * <li>every {@code FLASHSALE_*} variable set in k8s/ names a property the application declares
 * on a {@code @ConfigMapping} (a typo or a removed setting would otherwise be ignored silently);</li>
 * <li>production never renders the placeholder Secret; the sale-day overlay keeps capacity warm.</li>
 * </ul>
 * Kubernetes' and Knative's own schemas are not re-implemented here: the cluster's API server and
 * webhooks validate them on apply. Plain JUnit: needs only {@code kubectl} (client; works offline);
 * another binary with {@code -Dkubectl=/path} or {@code KUBECTL}.
 */
class K8sManifestsTests {

    static final Path BASEDIR = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    static final Path K8S = BASEDIR.resolve("k8s");

    /** Settings the application needs from the ConfigMap (non-secret part of the configuration). */
    static final List<String> CONFIG_KEYS = List.of("QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_REDIS_HOSTS",
            "KAFKA_BOOTSTRAP_SERVERS", "FLASHSALE_PAYMENT_REMIND_AFTER", "FLASHSALE_PAYMENT_EXPIRE_AFTER",
            "FLASHSALE_PURCHASE_MAX_IN_FLIGHT", "FLASHSALE_ORDER_BATCH_MAX_SIZE", "FLASHSALE_ORDER_BATCH_MAX_WAIT",
            "FLASHSALE_ORDER_BATCH_WRITERS");
    static final List<String> SECRET_KEYS = List.of("QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD");
    static final Map<String, String> ROLE_OF = Map.of("Service flashsale-api", "api", "Deployment flashsale-worker", "worker");

    /** Every directory under k8s/ that holds a kustomization.yaml: a new overlay is checked without edits here. */
    static Stream<String> kustomizations() throws IOException {
        assertTrue(Files.isDirectory(K8S), "no k8s/ directory at " + K8S);
        List<String> dirs;
        try (Stream<Path> files = Files.walk(K8S)) {
            dirs = files.filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
                    .map(p -> K8S.relativize(p.getParent()).toString().replace('\\', '/')).sorted().toList();
        }
        assertTrue(dirs.containsAll(List.of("base", "overlays/production")),
                "k8s/ must hold at least base and overlays/production, found " + dirs);
        return dirs.stream();
    }

    @ParameterizedTest(name = "k8s/{0}")
    @MethodSource("kustomizations")
    void everyRenderingFollowsTheProjectRules(String dir) {
        Rendering rendering = Rendering.of(dir, kustomize(K8S.resolve(dir)));
        assertNoProblems("k8s/" + dir, new Rules(baseSecrets(), declaredSettings()).check(rendering));
        if (!dir.startsWith("eventing")) {
            assertTrue(rendering.find("serving.knative.dev/v1", "Service", "flashsale-api").isPresent(),
                    "k8s/" + dir + " renders no Knative Service flashsale-api");
            assertTrue(rendering.find("apps/v1", "Deployment", "flashsale-worker").isPresent(),
                    "k8s/" + dir + " renders no Deployment flashsale-worker");
        }
    }

    @Test
    void productionNeverCarriesThePlaceholderSecret() {
        for (String dir : List.of("overlays/production", "overlays/sale-day")) {
            if (!Files.isDirectory(K8S.resolve(dir))) {
                continue;
            }
            Rendering r = Rendering.of(dir, kustomize(K8S.resolve(dir)));
            assertFalse(r.objects.stream().anyMatch(o -> o.kind.equals("Secret")),
                    "k8s/" + dir + " must not render a Secret: applying it would overwrite the real credentials "
                            + "with the placeholders of base/secret.yaml");
        }
    }

    @Test
    void saleDayKeepsCapacityWarmAndProductionMayScaleToZero() {
        Map<String, String> production = apiAnnotations("overlays/production");
        assertEquals("0", production.get("autoscaling.knative.dev/min-scale"), "production min-scale");
        if (Files.isDirectory(K8S.resolve("overlays/sale-day"))) {
            Map<String, String> saleDay = apiAnnotations("overlays/sale-day");
            int min = Integer.parseInt(saleDay.get("autoscaling.knative.dev/min-scale"));
            int max = Integer.parseInt(saleDay.get("autoscaling.knative.dev/max-scale"));
            assertTrue(min >= 1, "sale-day must keep pods running at the opening: min-scale " + min);
            assertTrue(max >= Integer.parseInt(production.get("autoscaling.knative.dev/max-scale")),
                    "sale-day max-scale below production's");
        }
    }

    private static Map<String, String> apiAnnotations(String dir) {
        Rendering r = Rendering.of(dir, kustomize(K8S.resolve(dir)));
        JsonNode ksvc = r.find("serving.knative.dev/v1", "Service", "flashsale-api").orElseThrow().node;
        Map<String, String> out = new TreeMap<>();
        ksvc.path("spec").path("template").path("metadata").path("annotations").fields()
                .forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    // --- the rules must be able to fail -----------------------------------------------------------------

    static final String WORKER = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: flashsale-worker}
            spec:
              template:
                metadata:
                  labels: {app.kubernetes.io/part-of: flashsale}
                spec:
                  containers:
                    - name: worker
                      env:
                        - {name: FLASHSALE_ROLE, value: worker}
                        - {name: FLASHSALE_OUTBOX_MAX_ATTEMPTS, value: "10"}
                        - name: SIZE
                          valueFrom:
                            configMapKeyRef: {name: cfg, key: SIZE}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cfg}
            data: {SIZE: "1"}
            """;

    @Test
    void aValidWorkerPasses() {
        assertNoProblems("worker", check(WORKER));
    }

    @Test
    void aMissingConfigMapKeyIsCaught() {
        assertProblem(check(WORKER.replace("key: SIZE", "key: NOPE")), "ConfigMap cfg has no key NOPE");
    }

    @Test
    void aWrongRoleIsCaught() {
        assertProblem(check(WORKER.replace("value: worker", "value: api")), "FLASHSALE_ROLE must be worker, is api");
        assertProblem(check(WORKER.replace("value: worker", "value: both")), "FLASHSALE_ROLE must be api, worker or all");
    }

    @Test
    void aSettingNoConfigMappingDeclaresIsCaught() {
        assertProblem(check(WORKER.replace("FLASHSALE_OUTBOX_MAX_ATTEMPTS", "FLASHSALE_OUTBOX_MAX_ATEMPTS")),
                "FLASHSALE_OUTBOX_MAX_ATEMPTS is not a setting of the application");
    }

    @Test
    void theDeclaredSettingsAreReadFromTheConfigMappings() {
        Set<String> settings = declaredSettings();
        // a plain property, a @WithDefault one, and the role (@WithParentName: the prefix itself)
        assertTrue(settings.containsAll(Set.of("FLASHSALE_PURCHASE_MAX_IN_FLIGHT", "FLASHSALE_API_BUYER_RATE",
                "FLASHSALE_ROLE", "FLASHSALE_REDIS_REPLICA_ACKS")), settings.toString());
    }

    /** Without kustomizeconfig.yaml the Knative Service keeps the un-hashed ConfigMap name: a dangling reference. */
    @Test
    void aDanglingConfigMapReferenceInACopyOfTheTreeIsCaught(@TempDir Path tmp) throws IOException {
        Path copy = copyTree(K8S, tmp.resolve("k8s"));
        Path kustomization = copy.resolve("base/kustomization.yaml");
        String original = Files.readString(kustomization);
        String without = original.replaceAll("(?m)^configurations:\\n(  - .*\\n)+", "");
        assertTrue(!without.equals(original), "base/kustomization.yaml no longer lists configurations:");
        Files.writeString(kustomization, without);

        List<String> problems = new Rules(baseSecrets(), declaredSettings())
                .check(Rendering.of("copy/base", kustomize(copy.resolve("base"))));
        assertProblem(problems, "Service flashsale-api: ConfigMap flashsale-config not found");
    }

    private static List<String> check(String yaml) {
        return new Rules(Map.of(), declaredSettings()).check(Rendering.of("inline", yaml));
    }

    private static void assertProblem(List<String> problems, String expected) {
        assertTrue(problems.stream().anyMatch(p -> p.contains(expected)),
                "expected a problem containing [" + expected + "], got " + problems);
    }

    private static void assertNoProblems(String what, List<String> problems) {
        if (!problems.isEmpty()) {
            fail(what + ": " + problems.size() + " problem(s):\n  - " + String.join("\n  - ", problems));
        }
    }

    private static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }

    // --- the application's settings, as environment variables --------------------------------------------

    private static volatile Set<String> declared;

    /**
     * Every property declared on a {@code @ConfigMapping} of the compiled application (prefix + the
     * kebab-case method name, or the prefix for {@code @WithParentName}), as its environment variable.
     */
    static Set<String> declaredSettings() {
        if (declared == null) {
            Indexer indexer = new Indexer();
            try (Stream<Path> files = Files.walk(BASEDIR.resolve("target/classes/io/flashsale"))) {
                for (Path file : files.filter(f -> f.toString().endsWith(".class")).toList()) {
                    try (InputStream in = Files.newInputStream(file)) {
                        indexer.index(in);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("compile first: target/classes is read for the @ConfigMapping interfaces", e);
            }
            Index index = indexer.complete();
            Set<String> settings = new TreeSet<>();
            for (AnnotationInstance mapping : index.getAnnotations(DotName.createSimple("io.smallrye.config.ConfigMapping"))) {
                ClassInfo type = mapping.target().asClass();
                String prefix = mapping.value("prefix").asString();
                for (MethodInfo method : type.methods()) {
                    if (method.parametersCount() > 0 || !java.lang.reflect.Modifier.isAbstract(method.flags())) {
                        continue;
                    }
                    AnnotationInstance name = method.annotation(DotName.createSimple("io.smallrye.config.WithName"));
                    String property = method.hasAnnotation(DotName.createSimple("io.smallrye.config.WithParentName")) ? prefix
                            : prefix + "." + (name != null ? name.value().asString() : kebab(method.name()));
                    settings.add(property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase());
                }
            }
            assertFalse(settings.isEmpty(), "no @ConfigMapping found under target/classes");
            declared = settings;
        }
        return declared;
    }

    static String kebab(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase();
    }

    // --- kubectl kustomize --------------------------------------------------------------------------------

    private static final Map<Path, String> RENDERED = new ConcurrentHashMap<>();

    static String kustomize(Path dir) {
        return RENDERED.computeIfAbsent(dir, K8sManifestsTests::runKustomize);
    }

    private static String runKustomize(Path dir) {
        String kubectl = System.getProperty("kubectl", Objects.requireNonNullElse(System.getenv("KUBECTL"), "kubectl"));
        Process process;
        try {
            process = new ProcessBuilder(kubectl, "kustomize", dir.toString()).start();
        } catch (IOException e) {
            fail("kubectl is needed to render k8s/ (`kubectl kustomize`, client only, no cluster) but '" + kubectl
                    + "' could not be started: " + e.getMessage()
                    + ". Install kubectl, or point -Dkubectl=/path/to/kubectl (or KUBECTL=...) at it.");
            throw new AssertionError(e);
        }
        try {
            process.getOutputStream().close();
            CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> read(process.getErrorStream()));
            String stdout = read(process.getInputStream());
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                fail("kubectl kustomize " + dir + " did not finish within 120 s");
            }
            if (process.exitValue() != 0) {
                fail("kubectl kustomize " + dir + " failed (exit " + process.exitValue() + "):\n" + stderr.join());
            }
            return stdout;
        } catch (InterruptedException | IOException e) {
            throw new AssertionError("kubectl kustomize " + dir + ": " + e, e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Secrets of the base rendering: the contract for overlays that leave the Secret to the cluster. */
    private static Map<String, Set<String>> baseSecrets() {
        Map<String, Set<String>> secrets = new TreeMap<>();
        for (Obj o : Rendering.of("base", kustomize(K8S.resolve("base"))).objects) {
            if (o.kind.equals("Secret")) {
                secrets.put(o.name, keys(o.node, "data", "stringData"));
            }
        }
        return secrets;
    }

    static Set<String> keys(JsonNode object, String... sections) {
        Set<String> keys = new TreeSet<>();
        for (String section : sections) {
            object.path(section).fieldNames().forEachRemaining(keys::add);
        }
        return keys;
    }

    // --- the rendering, split into objects ----------------------------------------------------------------

    record Obj(String apiVersion, String kind, String name, JsonNode node) {
        String label() {
            return kind + " " + name;
        }
    }

    record Rendering(String source, List<Obj> objects) {
        static final YAMLMapper YAML = new YAMLMapper();

        static Rendering of(String source, String yaml) {
            List<Obj> objects = new ArrayList<>();
            try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
                while (docs.hasNextValue()) {
                    JsonNode doc = docs.nextValue();
                    if (doc != null && !doc.isNull() && !doc.isEmpty()) {
                        objects.add(new Obj(doc.path("apiVersion").asText(""), doc.path("kind").asText(""),
                                doc.path("metadata").path("name").asText(""), doc));
                    }
                }
            } catch (IOException e) {
                throw new AssertionError(source + ": not valid YAML: " + e.getMessage(), e);
            }
            assertFalse(objects.isEmpty(), source + " renders no object");
            return new Rendering(source, objects);
        }

        Optional<Obj> find(String apiVersion, String kind, String name) {
            return objects.stream().filter(o -> o.apiVersion.equals(apiVersion) && o.kind.equals(kind) && o.name.equals(name))
                    .findFirst();
        }

        Optional<Obj> find(String kind, String name) {
            return objects.stream().filter(o -> o.kind.equals(kind) && o.name.equals(name)).findFirst();
        }
    }

    // --- the rules ----------------------------------------------------------------------------------------

    static final class Rules {

        private final Map<String, Set<String>> externalSecrets;
        private final Set<String> settings;
        private final List<String> problems = new ArrayList<>();
        private Rendering rendering;

        /**
         * @param externalSecrets Secrets an overlay may leave to the cluster (name -> keys), from base's template
         * @param settings        the application's settings as environment variables
         */
        Rules(Map<String, Set<String>> externalSecrets, Set<String> settings) {
            this.externalSecrets = externalSecrets;
            this.settings = settings;
        }

        List<String> check(Rendering rendering) {
            this.rendering = rendering;
            problems.clear();
            for (Obj o : rendering.objects) {
                JsonNode pod = o.node.path("spec").path("template");
                if (pod.path("spec").has("containers")) {
                    boolean flashsale = "flashsale".equals(pod.path("metadata").path("labels")
                            .path("app.kubernetes.io/part-of").asText());
                    workload(o, pod.path("spec"), flashsale);
                }
                if (o.kind.equals("ConfigMap") && o.name.startsWith("flashsale-config")) {
                    Set<String> keys = keys(o.node, "data");
                    CONFIG_KEYS.stream().filter(k -> !keys.contains(k)).forEach(k -> problem(o, "missing setting " + k));
                    keys.forEach(key -> setting(o, key));
                }
                if (o.kind.equals("Secret") && o.name.equals("flashsale-secrets")) {
                    Set<String> keys = keys(o.node, "data", "stringData");
                    SECRET_KEYS.stream().filter(k -> !keys.contains(k)).forEach(k -> problem(o, "missing key " + k));
                }
            }
            return List.copyOf(problems);
        }

        private void problem(Obj o, String message) {
            problems.add(o.label() + ": " + message);
        }

        private void workload(Obj o, JsonNode spec, boolean flashsale) {
            for (JsonNode volume : spec.path("volumes")) {
                if (volume.has("configMap")) {
                    reference(o, "ConfigMap", volume.path("configMap").path("name").asText(), null, volume.path("configMap"));
                }
                if (volume.has("secret")) {
                    reference(o, "Secret", volume.path("secret").path("secretName").asText(), null, volume.path("secret"));
                }
            }
            for (JsonNode container : spec.path("containers")) {
                for (JsonNode env : container.path("env")) {
                    JsonNode from = env.path("valueFrom");
                    if (from.has("configMapKeyRef")) {
                        JsonNode ref = from.path("configMapKeyRef");
                        reference(o, "ConfigMap", ref.path("name").asText(), ref.path("key").asText(), ref);
                    }
                    if (from.has("secretKeyRef")) {
                        JsonNode ref = from.path("secretKeyRef");
                        reference(o, "Secret", ref.path("name").asText(), ref.path("key").asText(), ref);
                    }
                    if (flashsale) {
                        setting(o, env.path("name").asText());
                    }
                }
                for (JsonNode from : container.path("envFrom")) {
                    if (from.has("configMapRef")) {
                        reference(o, "ConfigMap", from.path("configMapRef").path("name").asText(), null, from.path("configMapRef"));
                    }
                    if (from.has("secretRef")) {
                        reference(o, "Secret", from.path("secretRef").path("name").asText(), null, from.path("secretRef"));
                    }
                }
                if (flashsale) {
                    role(o, container);
                }
            }
        }

        /** FLASHSALE_ROLE is set on every flashsale container, and is the right one for api and worker. */
        private void role(Obj o, JsonNode container) {
            String role = null;
            for (JsonNode env : container.path("env")) {
                if (env.path("name").asText().equals("FLASHSALE_ROLE")) {
                    role = env.path("value").asText(null);
                }
            }
            String expected = ROLE_OF.get(o.kind + " " + o.name);
            if (role == null || !Set.of("api", "worker", "all").contains(role)) {
                problem(o, "FLASHSALE_ROLE must be api, worker or all, is " + role);
            } else if (expected != null && !expected.equals(role)) {
                problem(o, "FLASHSALE_ROLE must be " + expected + ", is " + role);
            }
        }

        /** A FLASHSALE_* variable nothing reads would be ignored silently. */
        private void setting(Obj o, String variable) {
            if (variable.startsWith("FLASHSALE_") && !settings.contains(variable)) {
                problem(o, variable + " is not a setting of the application (no @ConfigMapping declares it)");
            }
        }

        private void reference(Obj o, String kind, String name, String key, JsonNode ref) {
            boolean optional = ref.path("optional").asBoolean(false);
            Set<String> keys = rendering.find(kind, name)
                    .map(x -> kind.equals("Secret") ? keys(x.node, "data", "stringData") : keys(x.node, "data", "binaryData"))
                    .orElse(kind.equals("Secret") ? externalSecrets.get(name) : null);
            if (keys == null) {
                if (!optional) {
                    problem(o, kind + " " + name + (kind.equals("Secret") ? " is neither rendered nor defined by base's template"
                            : " not found in the rendered output"));
                }
            } else if (key != null && !keys.contains(key) && !optional) {
                problem(o, kind + " " + name + " has no key " + key);
            }
        }
    }
}
