package dev.agentstream.devtools.dynamodb;

import dev.agentstream.job.dynamodb.BillingTables;
import dev.agentstream.job.dynamodb.DynamoDbClientSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A dynalite process (a DynamoDB-compatible server on LevelDB, from npm) for tests and the local
 * run: 127.0.0.1 only, a free port, in memory, tables created and deleted at once. Installed with
 * npm into a folder of the project when it is not there yet. Never DynamoDB Local.
 *
 * <pre>{@code
 * try (Dynalite dynamo = Dynalite.start(workDir, Dynalite.defaultInstallDir())) {
 *     dynamo.createTables(new BillingTables("totals", "threads", "transcripts"));
 *     String endpoint = dynamo.endpoint();
 * }
 * }</pre>
 */
public final class Dynalite implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Dynalite.class);

    /** The major version installed; dynalite 4 ships prebuilt LevelDB binaries. */
    public static final String PACKAGE = "dynalite@4";

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final int port;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Dynalite(Process process, int port) {
        this.process = process;
        this.port = port;
        this.shutdownHook = new Thread(this::stopProcess, "dynalite-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * {@code devtools/target/dynalite} of the repository: the one {@code agentstream.home} names
     * (the scripts under {@code bin/} set it), else the working folder's, from its root or from
     * devtools.
     */
    public static Path defaultInstallDir() {
        Path devtools = Path.of(System.getProperty("agentstream.home", "."), "devtools");
        return Files.isDirectory(devtools.resolve("src"))
                ? devtools.resolve("target").resolve("dynalite")
                : Path.of("target", "dynalite");
    }

    /**
     * Installs dynalite into {@code installDir} unless it is there, starts it with its log in
     * {@code workDir} and waits until it listens.
     */
    public static Dynalite start(Path workDir, Path installDir) throws IOException {
        long started = System.nanoTime();
        Files.createDirectories(workDir);
        Path cli = install(installDir, workDir);
        int port = freePort();
        Process process =
                new ProcessBuilder(
                                List.of(
                                        "node",
                                        cli.toString(),
                                        "--host",
                                        "127.0.0.1",
                                        "--port",
                                        Integer.toString(port),
                                        "--createTableMs",
                                        "0",
                                        "--deleteTableMs",
                                        "0",
                                        "--updateTableMs",
                                        "0"))
                        .redirectErrorStream(true)
                        .redirectOutput(workDir.resolve("dynalite.log").toFile())
                        .start();
        Dynalite dynalite = new Dynalite(process, port);
        try {
            dynalite.awaitReady(workDir.resolve("dynalite.log"));
        } catch (IOException | RuntimeException e) {
            dynalite.close();
            throw e;
        }
        LOG.info(
                "dynalite listening on {} (pid {}) in {} ms",
                dynalite.endpoint(),
                process.pid(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        return dynalite;
    }

    /** {@code http://127.0.0.1:<port>}, the endpoint override of clients. */
    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** Client settings for this server: its endpoint, us-east-1, dummy credentials. */
    public DynamoDbClientSettings clientSettings() {
        return new DynamoDbClientSettings(endpoint(), "us-east-1", Duration.ofSeconds(10));
    }

    /** Creates the job's tables (those that exist are left as they are). */
    public void createTables(BillingTables tables) {
        try (DynamoDbAsyncClient client = clientSettings().create()) {
            tables.create(client);
        }
        LOG.info("DynamoDB tables {} ready on {}", tables, endpoint());
    }

    private static Path install(Path installDir, Path workDir) throws IOException {
        Path cli = installDir.resolve("node_modules").resolve("dynalite").resolve("cli.js");
        if (Files.exists(cli)) {
            return cli.toAbsolutePath();
        }
        Files.createDirectories(installDir);
        LOG.info("Installing {} with npm into {}", PACKAGE, installDir);
        Path log = workDir.resolve("npm-install.log");
        Process npm =
                new ProcessBuilder(
                                List.of(
                                        "npm",
                                        "install",
                                        "--prefix",
                                        installDir.toAbsolutePath().toString(),
                                        "--no-audit",
                                        "--no-fund",
                                        PACKAGE))
                        .redirectErrorStream(true)
                        .redirectOutput(log.toFile())
                        .start();
        try {
            if (!npm.waitFor(INSTALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                npm.destroyForcibly();
                throw new IOException("npm install " + PACKAGE + " took over 5 minutes");
            }
        } catch (InterruptedException e) {
            npm.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while installing " + PACKAGE, e);
        }
        if (npm.exitValue() != 0 || !Files.exists(cli)) {
            throw new IOException(
                    "npm install "
                            + PACKAGE
                            + " failed with exit code "
                            + npm.exitValue()
                            + "; see "
                            + log
                            + " (npm and node must be on the PATH)");
        }
        return cli.toAbsolutePath();
    }

    private void awaitReady(Path log) throws IOException {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(
                        "dynalite exited with " + process.exitValue() + "; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return;
            } catch (IOException notYet) {
                pause();
            }
        }
        throw new IOException("dynalite did not listen within " + READY_TIMEOUT + "; see " + log);
    }

    private static void pause() throws IOException {
        try {
            TimeUnit.MILLISECONDS.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for dynalite", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Stops the server (SIGTERM, then SIGKILL after 5 s). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            return; // the hook stops it
        }
        stopProcess();
    }

    private void stopProcess() {
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
