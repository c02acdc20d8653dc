package newsarchive.eslauncher;

import org.elasticsearch.Build;
import org.elasticsearch.common.logging.LogConfigurator;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.env.Environment;
import org.elasticsearch.http.BindHttpException;
import org.elasticsearch.http.HttpServerTransport;
import org.elasticsearch.node.LocalNode;
import org.elasticsearch.node.Node;
import org.elasticsearch.transport.netty4.Netty4Plugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Starts an Elasticsearch node bound to 127.0.0.1 and runs until SIGTERM.
 *
 * <p>Usage: {@code Launcher --home DIR --port N --state-file FILE}. Port 0 picks a free
 * port. Alone, the node is a single-node cluster. With {@code --seed-hosts
 * 127.0.0.1:9301,...} (the transport addresses of the others), {@code --transport-port N},
 * {@code --node-name NAME} and, for the first start of a new cluster,
 * {@code --initial-masters NAME,NAME,...}, it joins a cluster of several nodes on loopback
 * (every node master-eligible and a data node). Once the HTTP port is bound, the state file receives {@code pid}, {@code port}
 * and {@code version} as JSON (written atomically); it is removed on shutdown. Exit
 * code 3 means the port is taken, 1 any other start failure.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        Path home = Path.of(require(opts, "home")).toAbsolutePath();
        String port = opts.getOrDefault("port", "9250");
        Path stateFile = Path.of(require(opts, "state-file")).toAbsolutePath();
        Files.createDirectories(home.resolve("config"));
        Files.createDirectories(home.resolve("data"));
        Files.createDirectories(home.resolve("logs"));

        String nodeName = opts.getOrDefault("node-name", "newsarchive-local");
        Settings.Builder builder = Settings.builder()
            .put("path.home", home.toString())
            .put("path.data", home.resolve("data").toString())
            .put("path.logs", home.resolve("logs").toString())
            .put("node.name", nodeName)
            .put("cluster.name", opts.getOrDefault("cluster-name", "newsarchive"))
            .put("network.host", "127.0.0.1")   // loopback only, bind and publish
            .put("http.port", port)
            .put("transport.port", opts.getOrDefault("transport-port", "0"))
            // A developer laptop's disk is often > 90% full; read-only indices would surprise.
            .put("cluster.routing.allocation.disk.threshold_enabled", false);
        if (opts.containsKey("seed-hosts")) {
            builder.putList("discovery.seed_hosts", List.of(opts.get("seed-hosts").split(",")));
            if (opts.containsKey("initial-masters")) {
                builder.putList("cluster.initial_master_nodes",
                    List.of(opts.get("initial-masters").split(",")));
            }
        } else {
            builder.put("discovery.type", "single-node");
        }
        Settings settings = builder.build();

        LogConfigurator.registerErrorListener();
        LogConfigurator.setNodeName(nodeName);
        LogConfigurator.configureESLogging();
        LogConfigurator.configureWithoutConfig(settings);

        Node node;
        try {
            node = new LocalNode(new Environment(settings, home.resolve("config")),
                List.of(Netty4Plugin.class, NewsarchivePlugin.class));
            node.start();
        } catch (BindHttpException e) {
            System.err.println("newsarchive-es: cannot bind 127.0.0.1:" + port + ": port already in use");
            System.exit(3);
            return;
        } catch (Throwable e) {
            System.err.println("newsarchive-es: failed to start: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }

        HttpServerTransport http = node.injector().getInstance(HttpServerTransport.class);
        int boundPort = http.boundAddress().publishAddress().getPort();
        writeState(stateFile, ProcessHandle.current().pid(), boundPort, Build.current().qualifiedVersion());

        CountDownLatch stopped = new CountDownLatch(1);
        Node running = node;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                running.close();
                running.awaitClose(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("newsarchive-es: error while stopping: " + e);
            } finally {
                try {
                    Files.deleteIfExists(stateFile);
                } catch (IOException ignored) {
                    // the Python side treats a state file with a dead pid as stopped
                }
                stopped.countDown();
            }
        }, "newsarchive-es-shutdown"));
        stopped.await();
    }

    private static void writeState(Path stateFile, long pid, int port, String version) throws IOException {
        Files.createDirectories(stateFile.getParent());
        Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
        String json = "{\"pid\": " + pid + ", \"port\": " + port + ", \"version\": \"" + version + "\"}\n";
        Files.writeString(tmp, json, StandardCharsets.UTF_8);
        Files.move(tmp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> opts = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: Launcher --home DIR --port N --state-file FILE");
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        return opts;
    }

    private static String require(Map<String, String> opts, String key) {
        String value = opts.get(key);
        if (value == null) {
            throw new IllegalArgumentException("missing --" + key);
        }
        return value;
    }
}
