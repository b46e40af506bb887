package dev.agentstream.devtools.redis;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis server process for tests and the local run: 127.0.0.1 only, a free port, no persistence,
 * its files in a folder of its own. Ready when its port accepts connections.
 */
public final class RedisServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisServer.class);
    private static final long READY_TIMEOUT_MS = 10_000;

    private final Process process;
    private final int port;

    private RedisServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /**
     * Starts a server in {@code workDir}, finding or unpacking its binary under {@code binaryCache}
     * (see {@link RedisBinary}).
     */
    public static RedisServer start(Path workDir, Path binaryCache) throws IOException {
        RedisBinary.Command command = RedisBinary.locate(binaryCache);
        Files.createDirectories(workDir);
        int port = freePort();
        ProcessBuilder builder =
                new ProcessBuilder(
                                List.of(
                                        command.executable().toString(),
                                        "--bind",
                                        "127.0.0.1",
                                        "--port",
                                        Integer.toString(port),
                                        "--save",
                                        "",
                                        "--appendonly",
                                        "no",
                                        "--dir",
                                        workDir.toString()))
                        .redirectErrorStream(true)
                        .redirectOutput(workDir.resolve("redis.log").toFile());
        builder.environment().putAll(command.environment());
        RedisServer server = new RedisServer(builder.start(), port);
        server.awaitReady();
        LOG.info("Redis listening on 127.0.0.1:{}", port);
        return server;
    }

    /** {@code redis://127.0.0.1:<port>/0}. */
    public String uri() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    public int port() {
        return port;
    }

    private void awaitReady() throws IOException {
        long deadline = System.currentTimeMillis() + READY_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("redis-server exited with " + process.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                pause();
            }
        }
        close();
        throw new IOException("redis-server did not listen within " + READY_TIMEOUT_MS + " ms");
    }

    private static void pause() throws IOException {
        try {
            TimeUnit.MILLISECONDS.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for redis-server", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL after 5 s). */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
