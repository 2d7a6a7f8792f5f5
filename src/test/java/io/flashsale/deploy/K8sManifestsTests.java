package io.flashsale.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import io.fabric8.knative.sources.v1beta1.KafkaSource;
import io.fabric8.kubernetes.api.model.AnyType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

/**
 * Renders every kustomization under {@code k8s/} with {@code kubectl kustomize} and validates every object it
 * produces, offline:
 * <ol>
 * <li><b>Schema</b>: each object is bound to its typed model (fabric8 kubernetes-model / knative-model, the
 * versions of the Quarkus BOM) by apiVersion + kind; an unknown apiVersion/kind fails. The models keep fields
 * they do not know in {@code additionalProperties} instead of failing, so after binding the whole object graph
 * is walked and every non-empty {@code additionalProperties} is an error (a misspelled field such as
 * {@code replica:} or {@code containerPrt:}, or {@code annotation:} under metadata). Scalars are bound without
 * coercion and the bound object is serialized back and compared with the input: a value of the wrong type
 * ({@code replicas: "2"}, an unquoted number where a string belongs, as in an env value) or a field the model
 * silently dropped is an error as well. Quantities must parse.</li>
 * <li><b>Knative rules</b> the Knative webhook applies on top of the PodSpec schema (default feature flags):
 * only the pod/container/securityContext/probe/volume fields a revision accepts, one port named http1/h2c,
 * probes without a port, known {@code autoscaling.knative.dev/*} annotations with valid values.</li>
 * <li><b>Semantics</b>: probes on /q/health/live and /q/health/ready, requests and limits (request &lt;= limit),
 * restricted security context, FLASHSALE_ROLE per role, every ConfigMap/Secret reference pointing at a key that
 * exists, Deployment/PDB/Service selectors matching pods, PDB that never blocks a drain, Prometheus annotations
 * pointing at a real port, KafkaSource sink that resolves.</li>
 * </ol>
 * Plain JUnit: needs no service, only {@code kubectl} (client; {@code kubectl kustomize} works offline). Another
 * binary can be given with {@code -Dkubectl=/path/to/kubectl} or the {@code KUBECTL} environment variable.
 */
class K8sManifestsTests {

    static final Path K8S = Path.of(System.getProperty("basedir", ".")).resolve("k8s").toAbsolutePath().normalize();

    /** Settings the application needs from the ConfigMap (non-secret part of the configuration). */
    static final List<String> CONFIG_KEYS = List.of("QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_REDIS_HOSTS",
            "KAFKA_BOOTSTRAP_SERVERS", "FLASHSALE_PAYMENT_REMIND_AFTER", "FLASHSALE_PAYMENT_EXPIRE_AFTER",
            "FLASHSALE_PURCHASE_MAX_IN_FLIGHT", "FLASHSALE_ORDER_BATCH_MAX_SIZE", "FLASHSALE_ORDER_BATCH_MAX_WAIT",
            "FLASHSALE_ORDER_BATCH_WRITERS");
    static final List<String> SECRET_KEYS = List.of("QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD");
    static final String ORDER_EVENTS_TOPIC = "flashsale.order-events";

    // ------------------------------------------------------------------------------------------------------
    // The real tree
    // ------------------------------------------------------------------------------------------------------

    /** Every directory under k8s/ that holds a kustomization.yaml: a new overlay is validated without edits here. */
    static Stream<String> kustomizations() throws IOException {
        assertTrue(Files.isDirectory(K8S), "no k8s/ directory at " + K8S);
        List<String> dirs;
        try (Stream<Path> files = Files.walk(K8S)) {
            dirs = files.filter(p -> p.getFileName().toString().equals("kustomization.yaml"))
                    .map(p -> K8S.relativize(p.getParent()).toString().replace('\\', '/'))
                    .sorted().collect(Collectors.toList());
        }
        assertTrue(dirs.containsAll(List.of("base", "overlays/production")),
                "k8s/ must hold at least base and overlays/production, found " + dirs);
        return dirs.stream();
    }

    @ParameterizedTest(name = "k8s/{0}")
    @MethodSource("kustomizations")
    void everyRenderedObjectMatchesItsSchemaAndTheDeploymentRules(String dir) {
        Rendering rendering = Rendering.of(dir, kustomize(K8S.resolve(dir)));
        List<String> problems = new Validator(baseSecrets()).validate(rendering);
        assertNoProblems("k8s/" + dir, problems);

        if (!dir.startsWith("eventing")) {
            // Both roles are in every deployable variant of the service.
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

    // ------------------------------------------------------------------------------------------------------
    // The validator itself must be strict: known-bad manifests fail, a known-good one passes.
    // ------------------------------------------------------------------------------------------------------

    /** quarkus.management.port: health, metrics and openapi never share the API port. */
    static final int MANAGEMENT_PORT = 9000;

    static final String GOOD_DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: demo
              labels: {app: demo}
            spec:
              replicas: 1
              selector:
                matchLabels: {app: demo}
              template:
                metadata:
                  labels: {app: demo}
                spec:
                  containers:
                    - name: demo
                      image: example.org/demo:1.0
                      ports:
                        - name: http
                          containerPort: 8080
                      env:
                        - name: SIZE
                          value: "500"
                      resources:
                        requests: {cpu: 100m, memory: 64Mi}
                        limits: {cpu: "1", memory: 128Mi}
                      securityContext:
                        runAsNonRoot: true
                        allowPrivilegeEscalation: false
                        readOnlyRootFilesystem: true
                        capabilities: {drop: [ALL]}
                        seccompProfile: {type: RuntimeDefault}
            """;

    static final String GOOD_KNATIVE_SERVICE = """
            apiVersion: serving.knative.dev/v1
            kind: Service
            metadata:
              name: demo
            spec:
              template:
                metadata:
                  annotations:
                    autoscaling.knative.dev/min-scale: "0"
                    autoscaling.knative.dev/max-scale: "3"
                spec:
                  containerConcurrency: 0
                  containers:
                    - image: example.org/demo:1.0
                      ports:
                        - name: http1
                          containerPort: 8080
                      readinessProbe:
                        httpGet:
                          path: /q/health/ready
                      resources:
                        requests: {cpu: 100m, memory: 64Mi}
                        limits: {cpu: "1", memory: 128Mi}
                      securityContext:
                        runAsNonRoot: true
                        allowPrivilegeEscalation: false
                        readOnlyRootFilesystem: true
                        capabilities: {drop: [ALL]}
                        seccompProfile: {type: RuntimeDefault}
            """;

    @Test
    void aValidManifestPasses() {
        assertNoProblems("good Deployment", validateInline(GOOD_DEPLOYMENT));
        assertNoProblems("good Knative Service", validateInline(GOOD_KNATIVE_SERVICE));
        // Kubernetes accepts a bare number as a quantity: not a type error.
        assertNoProblems("bare-number quantity",
                validateInline(GOOD_DEPLOYMENT.replace("limits: {cpu: \"1\"", "limits: {cpu: 1")));
    }

    static Stream<Arguments> brokenManifests() {
        return Stream.of(
                Arguments.of("misspelled field replica", GOOD_DEPLOYMENT.replace("  replicas: 1", "  replica: 1"),
                        "unknown field(s) [replica] at spec"),
                Arguments.of("misspelled containerPort",
                        GOOD_DEPLOYMENT.replace("containerPort: 8080", "containerPrt: 8080"),
                        "unknown field(s) [containerPrt] at spec.template.spec.containers[0].ports[0]"),
                Arguments.of("annotation section with a wrong name",
                        GOOD_DEPLOYMENT.replace("  labels: {app: demo}\nspec:", "  annotation: {a: b}\nspec:"),
                        "unknown field(s) [annotation] at metadata"),
                Arguments.of("replicas as a string", GOOD_DEPLOYMENT.replace("replicas: 1", "replicas: \"1\""),
                        "spec.replicas"),
                Arguments.of("unquoted number as env value", GOOD_DEPLOYMENT.replace("value: \"500\"", "value: 500"),
                        "spec.template.spec.containers[0].env[0].value"),
                Arguments.of("invalid quantity", GOOD_DEPLOYMENT.replace("memory: 128Mi", "memory: 128MB"),
                        "invalid quantity '128MB'"),
                Arguments.of("misspelled kind", GOOD_DEPLOYMENT.replace("kind: Deployment", "kind: Deploymnt"),
                        "no schema for apps/v1 Deploymnt"),
                Arguments.of("Knative: probe with a port",
                        GOOD_KNATIVE_SERVICE.replace("path: /q/health/ready", "path: /q/health/ready\n"
                                + "              port: 8080"),
                        "Knative probes take no port"),
                Arguments.of("Knative: pod-level securityContext",
                        GOOD_KNATIVE_SERVICE.replace("  containerConcurrency: 0",
                                "  containerConcurrency: 0\n      securityContext: {runAsNonRoot: true}"),
                        "securityContext is not accepted in a Knative revision"),
                Arguments.of("Knative: misspelled autoscaling annotation",
                        GOOD_KNATIVE_SERVICE.replace("autoscaling.knative.dev/max-scale",
                                "autoscaling.knative.dev/maxscale"),
                        "unknown Knative annotation autoscaling.knative.dev/maxscale"),
                Arguments.of("Knative: min-scale above max-scale",
                        GOOD_KNATIVE_SERVICE.replace("min-scale: \"0\"", "min-scale: \"5\""),
                        "min-scale 5 > max-scale 3"),
                Arguments.of("Knative: misspelled field in the revision spec",
                        GOOD_KNATIVE_SERVICE.replace("containerConcurrency: 0", "containerConcurency: 0"),
                        "unknown field(s) [containerConcurency] at spec.template.spec"),
                Arguments.of("env reference to a missing ConfigMap key", GOOD_DEPLOYMENT.replace("value: \"500\"",
                        "valueFrom:\n" + " ".repeat(16) + "configMapKeyRef: {name: cfg, key: NOPE}")
                        + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {SIZE: \"1\"}\n",
                        "ConfigMap cfg has no key NOPE"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenManifests")
    void aBrokenManifestFails(String what, String yaml, String expectedProblem) {
        List<String> problems = validateInline(yaml);
        assertTrue(problems.stream().anyMatch(p -> p.contains(expectedProblem)),
                what + ": expected a problem containing [" + expectedProblem + "], got " + problems);
    }

    /** End to end on a copy of the real tree: a typo in base must fail every overlay that uses it. */
    @Test
    void aTypoInACopyOfTheTreeIsCaught(@TempDir Path tmp) throws IOException {
        Path copy = copyTree(K8S, tmp.resolve("k8s"));
        Path worker = copy.resolve("base/worker-deployment.yaml");
        String original = Files.readString(worker);
        assertTrue(original.contains("\n  replicas: 2\n"), "base/worker-deployment.yaml no longer has 'replicas: 2'");
        Files.writeString(worker, original.replace("\n  replicas: 2\n", "\n  replica: 2\n"));

        List<String> problems = new Validator(baseSecrets())
                .validate(Rendering.of("copy/overlays/production", kustomize(copy.resolve("overlays/production"))));
        assertTrue(problems.contains("Deployment flashsale-worker: unknown field(s) [replica] at spec"),
                "typo not caught: " + problems);
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

        List<String> problems = new Validator(baseSecrets())
                .validate(Rendering.of("copy/base", kustomize(copy.resolve("base"))));
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("Service(serving.knative.dev/v1) flashsale-api:")
                && p.contains("ConfigMap flashsale-config not found")), "dangling reference not caught: " + problems);
    }

    private static List<String> validateInline(String yaml) {
        return new Validator(Map.of()).validate(Rendering.of("inline", yaml));
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

    private static void assertNoProblems(String what, List<String> problems) {
        if (!problems.isEmpty()) {
            fail(what + ": " + problems.size() + " problem(s):\n  - " + String.join("\n  - ", problems));
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // kubectl kustomize
    // ------------------------------------------------------------------------------------------------------

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
        Rendering base = Rendering.of("base", kustomize(K8S.resolve("base")));
        for (Obj o : base.objects) {
            if (o.is("v1", "Secret")) {
                secrets.put(o.name, secretKeys(o.node));
            }
        }
        return secrets;
    }

    static Set<String> secretKeys(JsonNode secret) {
        Set<String> keys = new TreeSet<>();
        secret.path("data").fieldNames().forEachRemaining(keys::add);
        secret.path("stringData").fieldNames().forEachRemaining(keys::add);
        return keys;
    }

    // ------------------------------------------------------------------------------------------------------
    // Rendering: the multi-document YAML, split into objects
    // ------------------------------------------------------------------------------------------------------

    record Obj(String apiVersion, String kind, String name, JsonNode node) {
        boolean is(String apiVersion, String kind) {
            return this.apiVersion.equals(apiVersion) && this.kind.equals(kind);
        }

        String label() {
            String group = apiVersion.contains("/") ? "(" + apiVersion + ")" : "";
            boolean ambiguous = kind.equals("Service") && !apiVersion.equals("v1");
            return kind + (ambiguous ? group : "") + " " + name;
        }
    }

    record Rendering(String source, List<Obj> objects) {
        static final YAMLMapper YAML = new YAMLMapper();

        static Rendering of(String source, String yaml) {
            List<Obj> objects = new ArrayList<>();
            try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
                while (docs.hasNextValue()) {
                    JsonNode doc = docs.nextValue();
                    if (doc == null || doc.isNull() || doc.isEmpty()) {
                        continue;
                    }
                    objects.add(new Obj(doc.path("apiVersion").asText(""), doc.path("kind").asText(""),
                            doc.path("metadata").path("name").asText(""), doc));
                }
            } catch (IOException e) {
                throw new AssertionError(source + ": not valid YAML: " + e.getMessage(), e);
            }
            assertFalse(objects.isEmpty(), source + " renders no object");
            return new Rendering(source, objects);
        }

        java.util.Optional<Obj> find(String apiVersion, String kind, String name) {
            return objects.stream().filter(o -> o.is(apiVersion, kind) && o.name.equals(name)).findFirst();
        }
    }

    // ------------------------------------------------------------------------------------------------------
    // Validator
    // ------------------------------------------------------------------------------------------------------

    static final class Validator {

        /** apiVersion + " " + kind -> model class, from the models' META-INF/services registrations. */
        static final Map<String, Class<?>> SCHEMAS = loadSchemas();

        /** Strict binding: no scalar coercion ("2" is not an int, 2 is not a boolean). */
        static final ObjectMapper JSON = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();

        static final Pattern DNS1123 = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
        /** Paths where Kubernetes accepts a number for a quantity (resources, emptyDir size). */
        static final Pattern QUANTITY_PATH = Pattern.compile("(^|\\.)((limits|requests|overhead)\\.[^.\\[]+|sizeLimit)$");

        private final Map<String, Set<String>> externalSecrets;
        private final List<String> problems = new ArrayList<>();
        private Rendering rendering;

        /** @param externalSecrets Secrets an overlay may leave to the cluster (name -> keys), from base's template. */
        Validator(Map<String, Set<String>> externalSecrets) {
            this.externalSecrets = externalSecrets;
        }

        private static Map<String, Class<?>> loadSchemas() {
            Map<String, Class<?>> schemas = new TreeMap<>();
            ServiceLoader.load(KubernetesResource.class).stream().map(ServiceLoader.Provider::type)
                    .filter(HasMetadata.class::isAssignableFrom)
                    .forEach(c -> schemas.putIfAbsent(HasMetadata.getApiVersion(c) + " " + HasMetadata.getKind(c), c));
            for (String needed : List.of("v1 ConfigMap", "v1 Secret", "v1 Service", "v1 Namespace", "apps/v1 Deployment",
                    "policy/v1 PodDisruptionBudget", "serving.knative.dev/v1 Service",
                    "sources.knative.dev/v1beta1 KafkaSource")) {
                assertTrue(schemas.containsKey(needed), "model for " + needed + " missing from the test classpath");
            }
            return schemas;
        }

        List<String> validate(Rendering rendering) {
            this.rendering = rendering;
            problems.clear();
            Map<String, Integer> seen = new LinkedHashMap<>();
            for (Obj o : rendering.objects) {
                seen.merge(o.apiVersion + " " + o.kind + " " + o.node.path("metadata").path("namespace").asText()
                        + "/" + o.name, 1, Integer::sum);
                Object typed = bind(o);
                if (typed == null) {
                    continue;
                }
                if (!DNS1123.matcher(o.name).matches() || o.name.length() > 253) {
                    problem(o, "metadata.name '" + o.name + "' is not a valid DNS-1123 name");
                }
                if (typed instanceof io.fabric8.knative.serving.v1.Service ksvc) {
                    knativeRules(o, ksvc);
                    workload(o, ksvc.getSpec().getTemplate().getMetadata().getLabels(),
                            ksvc.getSpec().getTemplate().getMetadata().getAnnotations(),
                            ksvc.getSpec().getTemplate().getSpec().getContainers(),
                            ksvc.getSpec().getTemplate().getSpec().getVolumes(), null, true);
                } else if (typed instanceof Deployment deployment) {
                    deploymentRules(o, deployment);
                    workload(o, deployment.getSpec().getTemplate().getMetadata().getLabels(),
                            deployment.getSpec().getTemplate().getMetadata().getAnnotations(),
                            deployment.getSpec().getTemplate().getSpec().getContainers(),
                            deployment.getSpec().getTemplate().getSpec().getVolumes(),
                            deployment.getSpec().getTemplate().getSpec().getSecurityContext(), false);
                } else if (typed instanceof PodDisruptionBudget pdb) {
                    pdbRules(o, pdb);
                } else if (typed instanceof io.fabric8.kubernetes.api.model.Service svc) {
                    serviceRules(o, svc);
                } else if (typed instanceof ConfigMap cm) {
                    configMapRules(o, cm);
                } else if (typed instanceof Secret) {
                    secretRules(o);
                } else if (typed instanceof KafkaSource source) {
                    kafkaSourceRules(o, source);
                }
            }
            seen.forEach((id, n) -> {
                if (n > 1) {
                    problems.add(rendering.source + ": " + id + " rendered " + n + " times");
                }
            });
            return List.copyOf(problems);
        }

        private void problem(Obj o, String message) {
            problems.add(o.label() + ": " + message);
        }

        // --- schema ------------------------------------------------------------------------------------

        private Object bind(Obj o) {
            Class<?> type = SCHEMAS.get(o.apiVersion + " " + o.kind);
            if (type == null) {
                problems.add(o.kind + " " + o.name + ": no schema for " + o.apiVersion + " " + o.kind
                        + " (misspelled apiVersion/kind, or a model artifact missing from the test dependencies)");
                return null;
            }
            Object typed;
            try {
                typed = JSON.treeToValue(o.node, type);
            } catch (JsonMappingException e) {
                problem(o, "does not match the " + o.apiVersion + " " + o.kind + " schema at " + jsonPath(e) + ": "
                        + e.getOriginalMessage().lines().findFirst().orElse(""));
                return null;
            } catch (IOException e) {
                problem(o, "cannot be read as " + type.getSimpleName() + ": " + e.getMessage());
                return null;
            }
            walk(o, typed, "", new IdentityHashMap<>());
            compare(o, o.node, JSON.valueToTree(typed), "");
            return typed;
        }

        private static String jsonPath(JsonMappingException e) {
            StringBuilder path = new StringBuilder();
            for (JsonMappingException.Reference ref : e.getPath()) {
                if (ref.getIndex() >= 0) {
                    path.append('[').append(ref.getIndex()).append(']');
                } else if (ref.getFieldName() != null) {
                    path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
                }
            }
            return path.length() == 0 ? "(root)" : path.toString();
        }

        private static final Map<Class<?>, List<BeanPropertyDefinition>> PROPERTIES = new ConcurrentHashMap<>();

        /** Fails on every model object that kept fields it does not know; checks quantities on the way. */
        private void walk(Obj o, Object value, String path, IdentityHashMap<Object, Boolean> visited) {
            if (value == null || visited.put(value, Boolean.TRUE) != null) {
                return;
            }
            if (value instanceof Map<?, ?> map) {
                map.forEach((k, v) -> walk(o, v, join(path, String.valueOf(k)), visited));
                return;
            }
            if (value instanceof Collection<?> list) {
                int i = 0;
                for (Object item : list) {
                    walk(o, item, path + "[" + i++ + "]", visited);
                }
                return;
            }
            if (value instanceof Quantity q) {
                try {
                    Quantity.getAmountInBytes(q);
                } catch (RuntimeException e) {
                    problem(o, "invalid quantity '" + q + "' at " + path);
                }
                return;
            }
            if (value instanceof AnyType || !value.getClass().getName().startsWith("io.fabric8.")) {
                return;
            }
            Map<String, Object> unknown = additionalProperties(value);
            if (!unknown.isEmpty()) {
                problem(o, "unknown field(s) " + new TreeSet<>(unknown.keySet()) + " at " + (path.isEmpty() ? "(root)" : path));
            }
            for (BeanPropertyDefinition property : PROPERTIES.computeIfAbsent(value.getClass(), Validator::properties)) {
                AnnotatedMember getter = property.getAccessor();
                if (getter != null) {
                    walk(o, getter.getValue(value), join(path, property.getName()), visited);
                }
            }
        }

        private static List<BeanPropertyDefinition> properties(Class<?> type) {
            BeanDescription description = JSON.getSerializationConfig().introspect(JSON.constructType(type));
            return description.findProperties();
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> additionalProperties(Object value) {
            try {
                Object map = value.getClass().getMethod("getAdditionalProperties").invoke(value);
                return map == null ? Map.of() : (Map<String, Object>) map;
            } catch (NoSuchMethodException e) {
                return Map.of();
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
        }

        private static String join(String path, String name) {
            return path.isEmpty() ? name : path + "." + name;
        }

        /** Input vs. the bound object written back: a lost field, an added field or a changed value is a problem. */
        private void compare(Obj o, JsonNode in, JsonNode out, String path) {
            if (in.isObject() && out.isObject()) {
                Set<String> names = new TreeSet<>();
                in.fieldNames().forEachRemaining(names::add);
                out.fieldNames().forEachRemaining(names::add);
                for (String name : names) {
                    JsonNode a = in.get(name);
                    JsonNode b = out.get(name);
                    if (b == null && a != null && !a.isNull() && !isEmptyContainer(a)) {
                        problem(o, "field " + join(path, name) + " is not part of the schema (dropped when read)");
                    } else if (a == null && b != null && !b.isNull() && !isEmptyContainer(b)) {
                        problem(o, "field " + join(path, name) + " appeared when read back (schema default?)");
                    } else if (a != null && b != null) {
                        compare(o, a, b, join(path, name));
                    }
                }
            } else if (in.isArray() && out.isArray()) {
                if (in.size() != out.size()) {
                    problem(o, path + ": " + in.size() + " items written, " + out.size() + " read");
                    return;
                }
                for (int i = 0; i < in.size(); i++) {
                    compare(o, in.get(i), out.get(i), path + "[" + i + "]");
                }
            } else if (in.isNumber() && out.isNumber()) {
                if (in.decimalValue().compareTo(out.decimalValue()) != 0) {
                    problem(o, path + ": " + in + " read as " + out);
                }
            } else if (in.isNumber() && out.isTextual() && QUANTITY_PATH.matcher(path).find()
                    && new BigDecimal(out.asText()).compareTo(in.decimalValue()) == 0) {
                // a bare number as a quantity (cpu: 1) is valid Kubernetes
            } else if (!in.equals(out)) {
                problem(o, path + ": wrong type or value, " + describe(in) + " read as " + describe(out));
            }
        }

        private static boolean isEmptyContainer(JsonNode node) {
            return (node.isObject() || node.isArray()) && node.isEmpty();
        }

        private static String describe(JsonNode node) {
            return node.getNodeType().toString().toLowerCase() + " " + node;
        }

        // --- Knative rules (what the Knative webhook accepts with default feature flags) ----------------

        static final Set<String> KN_POD_FIELDS = Set.of("containers", "volumes", "serviceAccountName",
                "imagePullSecrets", "enableServiceLinks", "automountServiceAccountToken", "containerConcurrency",
                "timeoutSeconds", "responseStartTimeoutSeconds", "idleTimeoutSeconds");
        static final Set<String> KN_CONTAINER_FIELDS = Set.of("name", "args", "command", "env", "workingDir", "envFrom",
                "image", "imagePullPolicy", "livenessProbe", "readinessProbe", "startupProbe", "ports", "resources",
                "securityContext", "terminationMessagePath", "terminationMessagePolicy", "volumeMounts");
        static final Set<String> KN_SECURITY_FIELDS = Set.of("allowPrivilegeEscalation", "capabilities",
                "readOnlyRootFilesystem", "runAsGroup", "runAsNonRoot", "runAsUser", "seccompProfile");
        static final Set<String> KN_VOLUME_FIELDS = Set.of("name", "configMap", "secret", "projected", "emptyDir");
        static final Set<String> KN_TEMPLATE_METADATA = Set.of("name", "labels", "annotations");
        static final Set<String> KN_AUTOSCALING = Set.of("class", "metric", "target", "target-utilization-percentage",
                "min-scale", "max-scale", "initial-scale", "activation-scale", "scale-down-delay", "window",
                "panic-window-percentage", "panic-threshold-percentage", "target-burst-capacity",
                "scale-to-zero-pod-retention-period");
        static final Set<String> PROMETHEUS = Set.of("prometheus.io/scrape", "prometheus.io/port",
                "prometheus.io/path", "prometheus.io/scheme");

        private void knativeRules(Obj o, io.fabric8.knative.serving.v1.Service ksvc) {
            JsonNode template = o.node.path("spec").path("template");
            onlyFields(o, template.path("metadata"), KN_TEMPLATE_METADATA, "spec.template.metadata");
            JsonNode pod = template.path("spec");
            onlyFields(o, pod, KN_POD_FIELDS, "spec.template.spec");
            if (pod.path("automountServiceAccountToken").asBoolean(false)) {
                problem(o, "Knative accepts automountServiceAccountToken only as false");
            }
            JsonNode containers = pod.path("containers");
            if (containers.size() != 1) {
                problem(o, "one container expected in a Knative revision, found " + containers.size());
            }
            for (int i = 0; i < containers.size(); i++) {
                JsonNode c = containers.get(i);
                String at = "spec.template.spec.containers[" + i + "]";
                onlyFields(o, c, KN_CONTAINER_FIELDS, at);
                onlyFields(o, c.path("securityContext"), KN_SECURITY_FIELDS, at + ".securityContext");
                if (c.path("securityContext").path("capabilities").has("add")) {
                    problem(o, at + ".securityContext.capabilities.add needs a Knative feature flag");
                }
                if (c.path("ports").size() > 1) {
                    problem(o, at + ": Knative allows one port, found " + c.path("ports").size());
                }
                for (JsonNode port : c.path("ports")) {
                    String name = port.path("name").asText("");
                    if (!name.isEmpty() && !Set.of("http1", "h2c").contains(name)) {
                        problem(o, at + ".ports: Knative port name must be http1 or h2c, not '" + name + "'");
                    }
                }
                for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
                    JsonNode p = c.path(probe);
                    if (p.path("httpGet").has("port") || p.path("tcpSocket").has("port") || p.path("grpc").has("port")) {
                        problem(o, at + "." + probe + ": Knative probes take no port (Knative uses the container port)");
                    }
                }
            }
            for (JsonNode volume : pod.path("volumes")) {
                onlyFields(o, volume, KN_VOLUME_FIELDS, "spec.template.spec.volumes[" + volume.path("name").asText() + "]");
            }

            Map<String, String> annotations = Objects.requireNonNullElse(
                    ksvc.getSpec().getTemplate().getMetadata().getAnnotations(), Map.of());
            Map<String, Long> ints = new TreeMap<>();
            annotations.forEach((key, value) -> {
                if (!key.startsWith("autoscaling.knative.dev/")) {
                    return;
                }
                String name = key.substring("autoscaling.knative.dev/".length());
                if (!KN_AUTOSCALING.contains(name)) {
                    problem(o, "unknown Knative annotation " + key);
                    return;
                }
                try {
                    switch (name) {
                        case "class" -> expect(o, key, value, Set.of("kpa.autoscaling.knative.dev", "hpa.autoscaling.knative.dev"));
                        case "metric" -> expect(o, key, value, Set.of("concurrency", "rps", "cpu", "memory"));
                        case "min-scale", "max-scale", "initial-scale", "activation-scale" -> {
                            long n = Long.parseLong(value);
                            if (n < 0 || (name.equals("activation-scale") && n < 1)) {
                                problem(o, key + " out of range: " + value);
                            }
                            ints.put(name, n);
                        }
                        case "target" -> range(o, key, Double.parseDouble(value), 0.01, Double.MAX_VALUE);
                        case "target-utilization-percentage" -> range(o, key, Double.parseDouble(value), 1, 100);
                        case "panic-window-percentage" -> range(o, key, Double.parseDouble(value), 1, 100);
                        case "panic-threshold-percentage" -> range(o, key, Double.parseDouble(value), 110, 1000);
                        case "target-burst-capacity" -> {
                            double tbc = Double.parseDouble(value);
                            if (tbc < 0 && tbc != -1) {
                                problem(o, key + " must be -1 or >= 0: " + value);
                            }
                        }
                        case "scale-down-delay", "scale-to-zero-pod-retention-period" ->
                            range(o, key, seconds(value), 0, 3600);
                        case "window" -> range(o, key, seconds(value), 6, 3600);
                        default -> throw new IllegalStateException(name);
                    }
                } catch (IllegalArgumentException e) {
                    problem(o, key + ": invalid value '" + value + "'");
                }
            });
            Long min = ints.get("min-scale");
            Long max = ints.get("max-scale");
            if (min != null && max != null && max > 0 && min > max) {
                problem(o, "min-scale " + min + " > max-scale " + max);
            }
            Long containerConcurrency = ksvc.getSpec().getTemplate().getSpec().getContainerConcurrency();
            if (containerConcurrency != null && containerConcurrency < 0) {
                problem(o, "containerConcurrency must be >= 0");
            }
        }

        private void onlyFields(Obj o, JsonNode node, Set<String> allowed, String at) {
            node.fieldNames().forEachRemaining(f -> {
                if (!allowed.contains(f)) {
                    problem(o, at + "." + f + " is not accepted in a Knative revision (default feature flags)");
                }
            });
        }

        private void expect(Obj o, String key, String value, Set<String> allowed) {
            if (!allowed.contains(value)) {
                problem(o, key + " must be one of " + new TreeSet<>(allowed) + ", not '" + value + "'");
            }
        }

        private void range(Obj o, String key, double value, double min, double max) {
            if (value < min || value > max) {
                problem(o, key + " out of range [" + min + ", " + max + "]: " + value);
            }
        }

        static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|m|s|ms)");

        /** A Go duration (5m, 60s, 1h30m) in seconds. */
        static double seconds(String value) {
            Matcher m = DURATION.matcher(value);
            double total = 0;
            int end = 0;
            while (m.find()) {
                if (m.start() != end) {
                    throw new IllegalArgumentException(value);
                }
                double n = Double.parseDouble(m.group(1));
                total += switch (m.group(2)) {
                    case "h" -> n * 3600;
                    case "m" -> n * 60;
                    case "s" -> n;
                    default -> n / 1000;
                };
                end = m.end();
            }
            if (end == 0 || end != value.length()) {
                throw new IllegalArgumentException(value);
            }
            return total;
        }

        // --- workloads ---------------------------------------------------------------------------------

        private void workload(Obj o, Map<String, String> labels, Map<String, String> annotations, List<Container> containers,
                List<Volume> volumes, PodSecurityContext pod, boolean knative) {
            labels = Objects.requireNonNullElse(labels, Map.of());
            annotations = Objects.requireNonNullElse(annotations, Map.of());
            volumes = Objects.requireNonNullElse(volumes, List.of());
            boolean flashsale = "flashsale".equals(labels.get("app.kubernetes.io/part-of"));
            Set<String> volumeNames = volumes.stream().map(Volume::getName).collect(Collectors.toSet());
            for (Volume v : volumes) {
                if (v.getConfigMap() != null) {
                    configMapKey(o, v.getConfigMap().getName(), null, Boolean.TRUE.equals(v.getConfigMap().getOptional()));
                }
                if (v.getSecret() != null) {
                    secretKey(o, v.getSecret().getSecretName(), null, Boolean.TRUE.equals(v.getSecret().getOptional()));
                }
            }
            Set<Integer> containerPorts = new TreeSet<>();
            for (Container c : containers) {
                String at = "container " + c.getName();
                List<ContainerPort> ports = Objects.requireNonNullElse(c.getPorts(), List.of());
                ports.stream().map(ContainerPort::getContainerPort).filter(Objects::nonNull).forEach(containerPorts::add);
                image(o, at, c.getImage());
                resources(o, at, c);
                security(o, at, c.getSecurityContext(), pod);
                for (VolumeMount m : Objects.requireNonNullElse(c.getVolumeMounts(), List.<VolumeMount>of())) {
                    if (!volumeNames.contains(m.getName())) {
                        problem(o, at + ": volumeMount " + m.getName() + " has no volume");
                    }
                }
                for (EnvVar env : Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of())) {
                    if (env.getValueFrom() != null && env.getValueFrom().getConfigMapKeyRef() != null) {
                        var ref = env.getValueFrom().getConfigMapKeyRef();
                        configMapKey(o, ref.getName(), ref.getKey(), Boolean.TRUE.equals(ref.getOptional()));
                    }
                    if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                        var ref = env.getValueFrom().getSecretKeyRef();
                        secretKey(o, ref.getName(), ref.getKey(), Boolean.TRUE.equals(ref.getOptional()));
                    }
                }
                for (EnvFromSource from : Objects.requireNonNullElse(c.getEnvFrom(), List.<EnvFromSource>of())) {
                    if (from.getConfigMapRef() != null) {
                        configMapKey(o, from.getConfigMapRef().getName(), null,
                                Boolean.TRUE.equals(from.getConfigMapRef().getOptional()));
                    }
                    if (from.getSecretRef() != null) {
                        secretKey(o, from.getSecretRef().getName(), null,
                                Boolean.TRUE.equals(from.getSecretRef().getOptional()));
                    }
                }
                if (!knative) {
                    for (Probe probe : probes(c)) {
                        if (probe.getHttpGet() != null && !portExists(probe.getHttpGet().getPort(), ports)) {
                            problem(o, at + ": probe port " + probe.getHttpGet().getPort().getValue()
                                    + " is not a port of the container");
                        }
                    }
                }
                if (flashsale) {
                    flashsaleContainer(o, at, c, knative, ports);
                }
            }
            if (flashsale) {
                if (!"true".equals(annotations.get("prometheus.io/scrape"))
                        || !"/q/metrics".equals(annotations.get("prometheus.io/path"))) {
                    problem(o, "pod template needs prometheus.io/scrape \"true\" and prometheus.io/path /q/metrics");
                }
                // /q/metrics lives on the management interface (application.properties), never on the API port;
                // a Knative revision may declare only its serving port, so 9000 is checked by number there
                String port = annotations.getOrDefault("prometheus.io/port", "");
                if (!String.valueOf(MANAGEMENT_PORT).equals(port)) {
                    problem(o, "prometheus.io/port '" + port + "' must be the management port " + MANAGEMENT_PORT);
                } else if (!knative && !containerPorts.contains(MANAGEMENT_PORT)) {
                    problem(o, "the management port " + MANAGEMENT_PORT + " is not a container port " + containerPorts);
                }
            }
            annotations.keySet().stream().filter(k -> k.startsWith("prometheus.io/") && !PROMETHEUS.contains(k))
                    .forEach(k -> problem(o, "unknown annotation " + k));
        }

        private static List<Probe> probes(Container c) {
            return Stream.of(c.getLivenessProbe(), c.getReadinessProbe(), c.getStartupProbe())
                    .filter(Objects::nonNull).collect(Collectors.toList());
        }

        private static boolean portExists(IntOrString port, List<ContainerPort> ports) {
            if (port == null) {
                return false;
            }
            if (port.getIntVal() != null) {
                return ports.stream().anyMatch(p -> port.getIntVal().equals(p.getContainerPort()));
            }
            return ports.stream().anyMatch(p -> port.getStrVal().equals(p.getName()));
        }

        private void flashsaleContainer(Obj o, String at, Container c, boolean knative, List<ContainerPort> ports) {
            if (knative) {
                // Knative probes only through the serving port, where no /q/* is served
                for (String which : List.of("livenessProbe", "readinessProbe")) {
                    Probe probe = "livenessProbe".equals(which) ? c.getLivenessProbe() : c.getReadinessProbe();
                    if (probe == null || probe.getTcpSocket() == null) {
                        problem(o, at + ": " + which + " must be a TCP check of the serving port"
                                + " (/q/health is on the management port, which Knative cannot probe)");
                    }
                }
            } else {
                httpProbe(o, at, "livenessProbe", c.getLivenessProbe(), "/q/health/live", ports);
                httpProbe(o, at, "readinessProbe", c.getReadinessProbe(), "/q/health/ready", ports);
                if (c.getStartupProbe() != null) {
                    httpProbe(o, at, "startupProbe", c.getStartupProbe(), "/q/health/started", ports);
                }
            }
            String expectedRole = switch (o.kind + " " + o.name) {
                case "Service flashsale-api" -> "api";
                case "Deployment flashsale-worker" -> "worker";
                default -> null;
            };
            String role = Objects.requireNonNullElse(c.getEnv(), List.<EnvVar>of()).stream()
                    .filter(e -> e.getName().equals("FLASHSALE_ROLE")).map(EnvVar::getValue).findFirst().orElse(null);
            if (role == null || !Set.of("api", "worker", "all").contains(role)) {
                problem(o, at + ": FLASHSALE_ROLE must be api, worker or all, is " + role);
            } else if (expectedRole != null && !expectedRole.equals(role)) {
                problem(o, at + ": FLASHSALE_ROLE must be " + expectedRole + ", is " + role);
            }
        }

        private void httpProbe(Obj o, String at, String which, Probe probe, String path, List<ContainerPort> ports) {
            HTTPGetAction get = probe == null ? null : probe.getHttpGet();
            if (get == null || !path.equals(get.getPath())) {
                problem(o, at + ": " + which + " must be an HTTP GET on " + path
                        + (get == null ? " (none)" : ", is " + get.getPath()));
                return;
            }
            IntOrString port = get.getPort();
            boolean management = port != null && (Integer.valueOf(MANAGEMENT_PORT).equals(port.getIntVal())
                    || ports.stream().anyMatch(p -> p.getContainerPort() == MANAGEMENT_PORT
                            && port.getStrVal() != null && port.getStrVal().equals(p.getName())));
            if (!management) {
                problem(o, at + ": " + which + " must target the management port " + MANAGEMENT_PORT);
            }
        }

        private void image(Obj o, String at, String image) {
            if (image == null || image.isBlank()) {
                problem(o, at + ": no image");
                return;
            }
            String lastPart = image.substring(image.lastIndexOf('/') + 1);
            boolean pinned = image.contains("@sha256:") || (lastPart.contains(":") && !lastPart.endsWith(":latest"));
            if (!pinned && "flashsale".equals(o.node.path("metadata").path("labels").path("app.kubernetes.io/part-of").asText())) {
                problem(o, at + ": image " + image + " must carry a tag (not latest) or a digest");
            }
        }

        private void resources(Obj o, String at, Container c) {
            var resources = c.getResources();
            Map<String, Quantity> requests = resources == null ? null : resources.getRequests();
            Map<String, Quantity> limits = resources == null ? null : resources.getLimits();
            for (String resource : List.of("cpu", "memory")) {
                Quantity request = requests == null ? null : requests.get(resource);
                Quantity limit = limits == null ? null : limits.get(resource);
                if (request == null || limit == null) {
                    problem(o, at + ": needs resources.requests." + resource + " and resources.limits." + resource);
                    continue;
                }
                try {
                    if (Quantity.getAmountInBytes(request).compareTo(Quantity.getAmountInBytes(limit)) > 0) {
                        problem(o, at + ": " + resource + " request " + request + " above limit " + limit);
                    }
                } catch (RuntimeException e) {
                    // reported by the schema walk
                }
            }
        }

        private void security(Obj o, String at, SecurityContext sc, PodSecurityContext pod) {
            if (sc == null) {
                problem(o, at + ": no securityContext");
                return;
            }
            boolean nonRoot = Boolean.TRUE.equals(sc.getRunAsNonRoot())
                    || (sc.getRunAsNonRoot() == null && pod != null && Boolean.TRUE.equals(pod.getRunAsNonRoot()));
            if (!nonRoot) {
                problem(o, at + ": runAsNonRoot must be true");
            }
            if (!Boolean.TRUE.equals(sc.getReadOnlyRootFilesystem())) {
                problem(o, at + ": readOnlyRootFilesystem must be true");
            }
            if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                problem(o, at + ": allowPrivilegeEscalation must be false");
            }
            if (sc.getCapabilities() == null || sc.getCapabilities().getDrop() == null
                    || !sc.getCapabilities().getDrop().contains("ALL")) {
                problem(o, at + ": capabilities.drop must contain ALL");
            }
            String seccomp = sc.getSeccompProfile() != null ? sc.getSeccompProfile().getType()
                    : pod != null && pod.getSeccompProfile() != null ? pod.getSeccompProfile().getType() : null;
            if (!"RuntimeDefault".equals(seccomp)) {
                problem(o, at + ": seccompProfile.type must be RuntimeDefault, is " + seccomp);
            }
        }

        // --- references ----------------------------------------------------------------------------------

        private void configMapKey(Obj o, String name, String key, boolean optional) {
            Obj cm = rendering.objects.stream().filter(x -> x.is("v1", "ConfigMap") && x.name.equals(name))
                    .findFirst().orElse(null);
            if (cm == null) {
                if (!optional) {
                    problem(o, "ConfigMap " + name + " not found in the rendered output");
                }
                return;
            }
            if (key != null && !cm.node.path("data").has(key) && !cm.node.path("binaryData").has(key) && !optional) {
                problem(o, "ConfigMap " + name + " has no key " + key);
            }
        }

        private void secretKey(Obj o, String name, String key, boolean optional) {
            Set<String> keys = rendering.objects.stream().filter(x -> x.is("v1", "Secret") && x.name.equals(name))
                    .findFirst().map(x -> secretKeys(x.node)).orElse(externalSecrets.get(name));
            if (keys == null) {
                if (!optional) {
                    problem(o, "Secret " + name + " is neither rendered nor defined by base's template");
                }
                return;
            }
            if (key != null && !keys.contains(key) && !optional) {
                problem(o, "Secret " + name + " has no key " + key);
            }
        }

        // --- other kinds ---------------------------------------------------------------------------------

        private List<Map<String, String>> podLabelsOfWorkloads() {
            List<Map<String, String>> pods = new ArrayList<>();
            for (Obj x : rendering.objects) {
                JsonNode labels = x.node.path("spec").path("template").path("metadata").path("labels");
                if (x.is("apps/v1", "Deployment") || x.is("serving.knative.dev/v1", "Service")) {
                    Map<String, String> m = new TreeMap<>();
                    labels.fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asText()));
                    pods.add(m);
                }
            }
            return pods;
        }

        private static boolean selects(Map<String, String> selector, Map<String, String> labels) {
            return selector != null && !selector.isEmpty()
                    && selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
        }

        private void deploymentRules(Obj o, Deployment d) {
            Integer replicas = d.getSpec().getReplicas();
            if (replicas == null || replicas < 1) {
                problem(o, "replicas must be >= 1 (the worker runs the scheduled jobs), is " + replicas);
            }
            Map<String, String> selector = d.getSpec().getSelector() == null ? null
                    : d.getSpec().getSelector().getMatchLabels();
            Map<String, String> podLabels = Objects.requireNonNullElse(d.getSpec().getTemplate().getMetadata().getLabels(),
                    Map.of());
            if (!selects(selector, podLabels)) {
                problem(o, "selector " + selector + " does not match the pod template labels " + podLabels);
            }
            List<PodDisruptionBudget> pdbs = rendering.objects.stream().filter(x -> x.is("policy/v1", "PodDisruptionBudget"))
                    .map(x -> JSON.convertValue(x.node, PodDisruptionBudget.class))
                    .filter(p -> p.getSpec().getSelector() != null && selects(p.getSpec().getSelector().getMatchLabels(), podLabels))
                    .collect(Collectors.toList());
            if (replicas != null && replicas >= 2 && pdbs.isEmpty()) {
                problem(o, replicas + " replicas but no PodDisruptionBudget selects its pods");
            }
            for (PodDisruptionBudget pdb : pdbs) {
                IntOrString minAvailable = pdb.getSpec().getMinAvailable();
                if (replicas != null && minAvailable != null && minAvailable.getIntVal() != null
                        && minAvailable.getIntVal() >= replicas) {
                    problem(o, "PodDisruptionBudget " + pdb.getMetadata().getName() + " minAvailable "
                            + minAvailable.getIntVal() + " >= replicas " + replicas + ": node drains would block forever");
                }
            }
        }

        private void pdbRules(Obj o, PodDisruptionBudget pdb) {
            if (pdb.getSpec().getMinAvailable() == null && pdb.getSpec().getMaxUnavailable() == null) {
                problem(o, "needs minAvailable or maxUnavailable");
            }
            Map<String, String> selector = pdb.getSpec().getSelector() == null ? null
                    : pdb.getSpec().getSelector().getMatchLabels();
            if (podLabelsOfWorkloads().stream().noneMatch(labels -> selects(selector, labels))) {
                problem(o, "selector " + selector + " selects no pod of the rendered workloads");
            }
        }

        private void serviceRules(Obj o, io.fabric8.kubernetes.api.model.Service svc) {
            Map<String, String> selector = svc.getSpec().getSelector();
            List<Obj> selected = rendering.objects.stream().filter(x -> x.is("apps/v1", "Deployment")).filter(x -> {
                Map<String, String> labels = new TreeMap<>();
                x.node.path("spec").path("template").path("metadata").path("labels").fields()
                        .forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
                return selects(selector, labels);
            }).collect(Collectors.toList());
            if (selected.isEmpty()) {
                problem(o, "selector " + selector + " selects no pod of the rendered Deployments");
                return;
            }
            for (var port : svc.getSpec().getPorts()) {
                IntOrString target = port.getTargetPort();
                for (Obj deployment : selected) {
                    List<ContainerPort> ports = new ArrayList<>();
                    JSON.convertValue(deployment.node, Deployment.class).getSpec().getTemplate().getSpec().getContainers()
                            .forEach(c -> ports.addAll(Objects.requireNonNullElse(c.getPorts(), List.of())));
                    IntOrString effective = target != null ? target : new IntOrString(port.getPort());
                    if (!portExists(effective, ports)) {
                        problem(o, "targetPort " + effective.getValue() + " is not a port of " + deployment.name);
                    }
                }
            }
        }

        private void configMapRules(Obj o, ConfigMap cm) {
            if (!o.name.startsWith("flashsale-config")) {
                return;
            }
            Map<String, String> data = Objects.requireNonNullElse(cm.getData(), Map.of());
            for (String key : CONFIG_KEYS) {
                if (data.getOrDefault(key, "").isBlank()) {
                    problem(o, "missing setting " + key);
                }
            }
        }

        private void secretRules(Obj o) {
            if (o.name.equals("flashsale-secrets")) {
                Set<String> keys = secretKeys(o.node);
                for (String key : SECRET_KEYS) {
                    if (!keys.contains(key)) {
                        problem(o, "missing key " + key);
                    }
                }
            }
        }

        private void kafkaSourceRules(Obj o, KafkaSource source) {
            var spec = source.getSpec();
            if (spec.getTopics() == null || !spec.getTopics().contains(ORDER_EVENTS_TOPIC)) {
                problem(o, "must consume " + ORDER_EVENTS_TOPIC + ", consumes " + spec.getTopics());
            }
            if (spec.getBootstrapServers() == null || spec.getBootstrapServers().isEmpty()) {
                problem(o, "no bootstrapServers");
            }
            if (spec.getConsumerGroup() == null || spec.getConsumerGroup().startsWith("flashsale-sale-stats")) {
                problem(o, "needs its own consumerGroup (not flashsale's), is " + spec.getConsumerGroup());
            }
            var sink = spec.getSink();
            if (sink == null || (sink.getRef() == null && sink.getUri() == null)) {
                problem(o, "no sink");
            } else if (sink.getRef() != null) {
                var ref = sink.getRef();
                if (rendering.find(ref.getApiVersion(), ref.getKind(), ref.getName()).isEmpty()) {
                    problem(o, "sink " + ref.getApiVersion() + " " + ref.getKind() + " " + ref.getName()
                            + " is not in the rendered output");
                }
            }
        }
    }
}
