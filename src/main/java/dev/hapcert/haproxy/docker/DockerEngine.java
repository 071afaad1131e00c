package dev.hapcert.haproxy.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.TopContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.transport.SSLConfig;
import dev.hapcert.error.ConfigException;
import dev.hapcert.error.HapcertException;
import dev.hapcert.error.HaproxyUnreachableException;
import dev.hapcert.error.InvalidInputException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * A connection to a Docker Engine API (Docker, or Podman's compatible service) at an address such as
 * {@code unix:///var/run/docker.sock} or {@code tcp://127.0.0.1:2375}. {@link #connect} asks the engine which
 * API versions it serves and speaks the newest both sides know.
 */
public final class DockerEngine implements AutoCloseable {
    public static final String DEFAULT_ADDRESS = "unix:///var/run/docker.sock";

    /**
     * For an engine on a unix socket. The HTTP client sets up a TLS strategy whatever the scheme and, given no
     * context, builds the JVM's default one, which reads and parses every certificate of the system's trust store:
     * 25-35 ms of a container deploy, for a context no connection over a unix socket uses, so this one is never
     * initialised. (For tcp:// a context means https to the client: there the configuration's, null without
     * DOCKER_TLS_VERIFY, is passed as it is.)
     */
    private static final SSLConfig WITHOUT_TLS = () -> SSLContext.getInstance("TLS");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String address;
    private final ApiVersion apiVersion;
    private final DockerHttpClient http;
    private final DockerClient client;

    private DockerEngine(String address, ApiVersion apiVersion, DockerHttpClient http, DockerClient client) {
        this.address = address;
        this.apiVersion = apiVersion;
        this.http = http;
        this.client = client;
    }

    /** The engine address to use: {@code configured} when given, else {@code DOCKER_HOST}, else the default socket. */
    public static String resolveAddress(String configured, Map<String, String> env) {
        if (configured != null && !configured.isBlank()) {
            return configured.trim();
        }
        String fromEnv = env.get("DOCKER_HOST");
        return fromEnv != null && !fromEnv.isBlank() ? fromEnv.trim() : DEFAULT_ADDRESS;
    }

    /**
     * Connects and negotiates the API version. {@code DOCKER_TLS_VERIFY} and {@code DOCKER_CERT_PATH} apply to
     * {@code tcp://} addresses as for the docker CLI.
     */
    public static DockerEngine connect(String address) throws HapcertException {
        URI uri = parseAddress(address);
        if ("unix".equals(uri.getScheme())) {
            checkSocket(address, Path.of(uri.getPath()));
        }
        DefaultDockerClientConfig base = DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost(address).build();
        DockerHttpClient http = new ApacheDockerHttpClient.Builder()
                .dockerHost(uri)
                .sslConfig("unix".equals(uri.getScheme()) ? WITHOUT_TLS : base.getSSLConfig())
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(60))
                .build();
        try {
            ApiVersion version = negotiate(address, http);
            DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
                    .withDockerHost(address).withApiVersion(version.toString()).build();
            return new DockerEngine(address, version, http, DockerClientImpl.getInstance(config, http));
        } catch (HapcertException | RuntimeException e) {
            closeQuietly(http);
            throw e;
        }
    }

    public String address() {
        return address;
    }

    public ApiVersion apiVersion() {
        return apiVersion;
    }

    /**
     * Finds and inspects the container a target names.
     *
     * @throws ConfigException when no container or several match
     */
    public ContainerInspection inspect(ContainerRef ref) throws HapcertException {
        String id = ref instanceof ContainerRef.Label label ? findByLabel(label) : ((ContainerRef.NameOrId) ref).value();
        String action = "inspect container " + ref;
        // Read as a JSON tree rather than through the client's model of the answer: binding that model (a few hundred
        // annotated classes) took about a third of a container deploy's CPU, for the seven fields used here.
        Answer answer = get(http, address, "/v" + apiVersion + "/containers/"
                + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/json", action);
        int status = answer.status();
        byte[] body = answer.body();
        if (status == 404) {
            throw new ConfigException("no container named or with id '" + ref + "' on the engine at " + address
                    + " (docker ps -a lists them)");
        }
        if (status != 200) {
            throw answered(action, status, engineMessage(body), null);
        }
        try {
            return toInspection(JSON.readTree(body));
        } catch (IOException | IllegalArgumentException e) {
            throw new HaproxyUnreachableException("the engine at " + address + " answered " + action
                    + " with something that is not a container's description: " + oneLine(e.getMessage()), e);
        }
    }

    /** An engine's whole answer to a GET: its status, its body, and its {@code Api-Version} header (null without). */
    private record Answer(int status, byte[] body, String apiVersion) {
    }

    /**
     * GETs {@code path} from the engine and reads the whole answer, whatever its status.
     *
     * @throws HaproxyUnreachableException naming {@code action} when the engine cannot be reached or answer
     */
    private static Answer get(DockerHttpClient http, String address, String path, String action)
            throws HaproxyUnreachableException {
        DockerHttpClient.Request request = DockerHttpClient.Request.builder()
                .method(DockerHttpClient.Request.Method.GET).path(path).build();
        try (DockerHttpClient.Response response = http.execute(request)) {
            byte[] body = response.getBody().readAllBytes();
            return new Answer(response.getStatusCode(), body, response.getHeader("Api-Version"));
        } catch (IOException | RuntimeException e) {
            throw connectionFailure(address, action, e);
        }
    }

    /** The {@code message} of an engine's error answer, or the answer itself when it is not that JSON. */
    private static String engineMessage(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8);
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.hasNonNull("message") ? node.get("message").asText() : text;
        } catch (IOException e) {
            return text;
        }
    }

    /** Inspects the container and insists it runs. */
    public ContainerInspection inspectRunning(ContainerRef ref) throws HapcertException {
        ContainerInspection c = inspect(ref);
        if (!c.running()) {
            throw new HaproxyUnreachableException("container " + c.describe() + " is not running (status "
                    + c.status() + "): start it (docker start " + c.name() + ") before deploying into it");
        }
        return c;
    }

    /** A channel that runs commands inside the container. */
    public ExecChannel execChannel(ContainerInspection container) {
        return new ExecChannel(this, container);
    }

    /** Sends {@code signal} (e.g. {@code SIGUSR2}) to the container's first process. */
    public void kill(ContainerInspection container, String signal) throws HapcertException {
        try {
            client.killContainerCmd(container.id()).withSignal(signal).exec();
        } catch (ConflictException e) {
            throw new HaproxyUnreachableException("container " + container.describe() + " is not running, so "
                    + signal + " cannot reach it", e);
        } catch (RuntimeException e) {
            throw failure("send " + signal + " to container " + container.describe(), e);
        }
    }

    /**
     * The command lines of the processes running in the container ({@code docker top}), which show how HAProxy
     * really runs when an entrypoint script started it (the official image's entrypoint adds {@code -W -db}).
     */
    public List<String> processes(ContainerInspection container) throws HapcertException {
        try {
            TopContainerResponse top = client.topContainerCmd(container.id()).exec();
            String[] titles = top.getTitles() == null ? new String[0] : top.getTitles();
            int column = -1;
            for (int i = 0; i < titles.length; i++) {
                if (titles[i].equals("CMD") || titles[i].equals("COMMAND")) {
                    column = i;
                }
            }
            List<String> lines = new ArrayList<>();
            if (top.getProcesses() != null && column >= 0) {
                for (String[] p : top.getProcesses()) {
                    if (p.length > column) {
                        // ps splits the command into the last columns when it has spaces; join them back.
                        lines.add(String.join(" ", Arrays.copyOfRange(p, column, p.length)));
                    }
                }
            }
            return lines;
        } catch (ConflictException e) {
            throw new HaproxyUnreachableException("container " + container.describe() + " is not running", e);
        } catch (RuntimeException e) {
            throw failure("list the processes of container " + container.describe(), e);
        }
    }

    /** Restarts the container, giving its processes {@code graceSeconds} to stop. */
    public void restart(ContainerInspection container, int graceSeconds) throws HapcertException {
        try {
            client.restartContainerCmd(container.id()).withTimeout(graceSeconds).exec();
        } catch (RuntimeException e) {
            throw failure("restart container " + container.describe(), e);
        }
    }

    DockerClient client() {
        return client;
    }

    /** Turns a library failure into the most specific typed error, naming the engine and both API versions. */
    HapcertException failure(String action, RuntimeException e) {
        if (e instanceof DockerException d) {
            return answered(action, d.getHttpStatus(), d.getMessage(), e);
        }
        return connectionFailure(address, action, e);
    }

    /** The engine's error answer (HTTP {@code status}) to {@code action}; a refused API version names ours. */
    private HaproxyUnreachableException answered(String action, int status, String message, Exception cause) {
        if (status == 400 && versionRefusal(message)) {
            return new HaproxyUnreachableException("the engine at " + address + " refused API version " + apiVersion
                    + " while trying to " + action + ": " + oneLine(message), cause);
        }
        return new HaproxyUnreachableException("the engine at " + address + " failed to " + action + " (HTTP " + status
                + "): " + oneLine(message), cause);
    }

    @Override
    public void close() {
        closeQuietly(client);
        closeQuietly(http);
    }

    private String findByLabel(ContainerRef.Label label) throws HapcertException {
        List<Container> found;
        try {
            found = client.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of(label.key(), label.value())).exec();
        } catch (RuntimeException e) {
            throw failure("list containers with " + label, e);
        }
        List<Container> running = found.stream().filter(c -> "running".equalsIgnoreCase(c.getState())).toList();
        // Several stopped copies and one running one is the normal state after a redeploy: take the running one.
        List<Container> candidates = running.isEmpty() ? found : running;
        if (candidates.isEmpty()) {
            throw new ConfigException("no container carries " + label + " on the engine at " + address);
        }
        if (candidates.size() > 1) {
            List<String> names = candidates.stream().map(c -> c.getNames() == null || c.getNames().length == 0
                    ? c.getId().substring(0, 12) : c.getNames()[0].replaceFirst("^/", "")).toList();
            throw new ConfigException(candidates.size() + " containers carry " + label + " (" + String.join(", ", names)
                    + "): name one container or use a label only one carries");
        }
        return candidates.get(0).getId();
    }

    private static ContainerInspection toInspection(JsonNode r) {
        List<ContainerMount> mounts = new ArrayList<>();
        for (JsonNode m : r.path("Mounts")) {
            String destination = m.path("Destination").asText("");
            if (!destination.isEmpty()) {
                // Named volumes carry a name; bind mounts do not.
                String type = m.path("Name").asText("").isEmpty() ? "bind" : "volume";
                mounts.add(new ContainerMount(type, m.path("Source").asText(null), destination, m.path("RW").asBoolean(false)));
            }
        }
        List<String> command = new ArrayList<>();
        if (r.hasNonNull("Path")) {
            command.add(r.get("Path").asText());
        }
        r.path("Args").forEach(a -> command.add(a.asText()));
        Map<String, String> labels = new LinkedHashMap<>();
        r.path("Config").path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        JsonNode state = r.path("State");
        return new ContainerInspection(r.path("Id").asText(""), r.path("Name").asText(""),
                state.path("Running").asBoolean(false), state.path("Status").asText(""), mounts, command, labels);
    }

    /**
     * The version to speak. {@code /_ping} names the newest the engine serves in its {@code Api-Version} header
     * (what the docker CLI negotiates with): when that lies within this client's range it is the answer, since an
     * engine serves its own newest version. Only otherwise does the whole range matter, and only {@code /version}
     * gives it; Podman takes about 230 ms to answer {@code /version} (it gathers host details) against 1 ms for
     * {@code /_ping}: nearly half of a container deploy through a bind-mounted socket.
     */
    private static ApiVersion negotiate(String address, DockerHttpClient http) throws HapcertException {
        ApiVersion pinged = pingedVersion(address, http);
        if (pinged != null && pinged.compareTo(ApiVersion.CLIENT_MIN) >= 0 && pinged.compareTo(ApiVersion.CLIENT_MAX) <= 0) {
            return pinged;
        }
        return negotiateFromVersionRange(address, http);
    }

    /**
     * The engine's newest API version from {@code /_ping}, or null when the answer does not say (an error status, no
     * header, or one that is no version): {@code /version} is asked then.
     *
     * @throws HaproxyUnreachableException when the engine cannot be reached at all
     */
    private static ApiVersion pingedVersion(String address, DockerHttpClient http) throws HapcertException {
        Answer ping = get(http, address, "/_ping", "ping it");
        String header = ping.status() == 200 ? ping.apiVersion() : null;
        try {
            return header == null ? null : ApiVersion.parse(header);
        } catch (InvalidInputException e) {
            return null;
        }
    }

    private static ApiVersion negotiateFromVersionRange(String address, DockerHttpClient http) throws HapcertException {
        JsonNode version;
        // Unversioned /version is served by every engine, whatever versions it accepts elsewhere.
        Answer answer = get(http, address, "/version", "ask for its version");
        if (answer.status() != 200) {
            throw new HaproxyUnreachableException("the engine at " + address + " answered /version with HTTP "
                    + answer.status() + ": " + oneLine(new String(answer.body(), StandardCharsets.UTF_8)));
        }
        try {
            version = JSON.readTree(answer.body());
        } catch (IOException | RuntimeException e) {
            throw connectionFailure(address, "ask for its version", e);
        }
        ApiVersion max;
        ApiVersion min = null;
        try {
            max = ApiVersion.parse(version.path("ApiVersion").asText());
            if (version.hasNonNull("MinAPIVersion")) {
                min = ApiVersion.parse(version.path("MinAPIVersion").asText());
            }
        } catch (InvalidInputException e) {
            throw new HaproxyUnreachableException("the engine at " + address + " reports no usable API version: "
                    + e.getMessage(), e);
        }
        try {
            return ApiVersion.negotiate(min, max);
        } catch (IllegalStateException e) {
            throw new HaproxyUnreachableException("the engine at " + address + " serves API versions "
                    + (min == null ? "up to " + max : min + " to " + max) + " but hapcert speaks "
                    + ApiVersion.CLIENT_MIN + " to " + ApiVersion.CLIENT_MAX + ": upgrade "
                    + (max.compareTo(ApiVersion.CLIENT_MIN) < 0 ? "the engine" : "hapcert"));
        }
    }

    private static URI parseAddress(String address) throws InvalidInputException {
        try {
            URI uri = URI.create(address);
            if ("unix".equals(uri.getScheme()) && uri.getPath() != null && uri.getPath().startsWith("/")) {
                return uri;
            }
            if ("tcp".equals(uri.getScheme()) && uri.getHost() != null && uri.getPort() > 0) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below with the accepted forms
        }
        throw new InvalidInputException("docker engine address '" + address + "' must be unix:///path/to/docker.sock"
                + " or tcp://host:port");
    }

    private static void checkSocket(String address, Path socket) throws HaproxyUnreachableException {
        if (!Files.exists(socket)) {
            throw new HaproxyUnreachableException("no docker engine socket at " + socket + ": is the engine running?"
                    + " Set DOCKER_HOST or the target's engine address if it listens elsewhere (" + address + ")");
        }
        if (!Files.isReadable(socket) || !Files.isWritable(socket)) {
            throw new HaproxyUnreachableException("permission denied on docker engine socket " + socket
                    + ": run hapcert as root or as a member of the socket's group (usually docker)");
        }
    }

    private static HaproxyUnreachableException connectionFailure(String address, String action, Exception e) {
        String text = String.valueOf(e.getMessage()) + " " + (e.getCause() == null ? "" : e.getCause().getMessage());
        if (text.contains("Permission denied") || text.contains("EACCES") || text.contains("errno 13")) {
            return new HaproxyUnreachableException("permission denied on the docker engine at " + address
                    + ": run hapcert as root or as a member of the socket's group (usually docker)", e);
        }
        return new HaproxyUnreachableException("cannot reach the docker engine at " + address + " to " + action
                + ": " + oneLine(text.trim()), e);
    }

    static boolean versionRefusal(String message) {
        return message != null && message.contains("client version")
                && (message.contains("too old") || message.contains("too new"));
    }

    static String oneLine(String s) {
        String t = s == null ? "" : s.replaceAll("\\s+", " ").trim();
        return t.length() > 300 ? t.substring(0, 300) + "..." : t;
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing a connection pool cannot fail in a way the caller could act on
        }
    }
}
