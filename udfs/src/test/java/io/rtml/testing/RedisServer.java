package io.rtml.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import redis.clients.jedis.Jedis;

/**
 * A real {@code redis-server} process on a free loopback port, for tests: started by the test,
 * stopped by it, keeping nothing on disk. Needs Debian's redis-server on the PATH ({@code
 * scripts/test} installs it).
 */
public final class RedisServer implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path directory;
    private final IntFunction<Jedis> clients;

    private RedisServer(Process process, int port, Path directory, IntFunction<Jedis> clients) {
        this.process = process;
        this.port = port;
        this.directory = directory;
        this.clients = clients;
    }

    public static RedisServer start() throws IOException, InterruptedException {
        return start(freePort());
    }

    /** Starts a server on {@code port}: used to bring one back on the port it had. */
    public static RedisServer start(int port) throws IOException, InterruptedException {
        return start(port, List.of(), p -> new Jedis("127.0.0.1", p));
    }

    /**
     * Starts a server on {@code port} with more redis-server arguments, which win over the defaults
     * (e.g. {@code --appendonly yes --dir DIR} to keep data across a restart, {@code
     * --requirepass}, {@code --port 0 --tls-port PORT ...}); {@code clients} opens a connection to
     * a port that the server accepts (AUTH, TLS), for {@link #client()} and the readiness check.
     */
    public static RedisServer start(
            int port, List<String> extraArguments, IntFunction<Jedis> clients)
            throws IOException, InterruptedException {
        Path directory = Files.createTempDirectory("rtml-redis");
        List<String> command =
                new ArrayList<>(
                        List.of(
                                "redis-server",
                                "--port",
                                Integer.toString(port),
                                "--bind",
                                "127.0.0.1",
                                "--save",
                                "",
                                "--appendonly",
                                "no",
                                "--dir",
                                directory.toString()));
        command.addAll(extraArguments);
        Process process =
                new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(directory.resolve("redis.log").toFile())
                        .start();
        RedisServer server = new RedisServer(process, port, directory, clients);
        server.awaitReady(Duration.ofSeconds(15));
        return server;
    }

    private void awaitReady(Duration timeout) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        "redis-server exited: " + Files.readString(directory.resolve("redis.log")));
            }
            try (Jedis jedis = client()) {
                if ("PONG".equals(jedis.ping())) {
                    return;
                }
            } catch (RuntimeException notYet) {
                Thread.sleep(50);
            }
        }
        close();
        throw new IOException("redis-server did not answer on port " + port + " within " + timeout);
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    public Jedis client() {
        return clients.apply(port);
    }

    /** Kills the server at once (SIGKILL), as a crash would: what it had not persisted is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
