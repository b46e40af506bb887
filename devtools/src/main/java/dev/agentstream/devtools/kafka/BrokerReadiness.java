package dev.agentstream.devtools.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Waits until a starting broker serves clients: its port accepts connections and the cluster it
 * describes has a node. Fails early, with the broker's diagnostics, when the process dies.
 */
final class BrokerReadiness {

    private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    private final Process process;
    private final int port;
    private final Supplier<String> diagnostics;

    /**
     * @param diagnostics what to append to an error message, e.g. the tail of the broker's log
     */
    BrokerReadiness(Process process, int port, Supplier<String> diagnostics) {
        this.process = process;
        this.port = port;
        this.diagnostics = diagnostics;
    }

    /**
     * @throws IllegalStateException when the process exits or {@code timeout} passes first
     * @throws InterruptedIOException when the waiting thread is interrupted
     */
    void await(Duration timeout) throws InterruptedIOException {
        Deadline deadline = new Deadline(System.nanoTime() + timeout.toNanos(), timeout);
        try {
            awaitPort(deadline);
            awaitNode(deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while the Kafka broker was starting");
        }
    }

    private void awaitPort(Deadline deadline) throws InterruptedException {
        while (!portOpen()) {
            checkAlive();
            checkDeadline(deadline, "its port " + port + " did not open");
            Thread.sleep(POLL_INTERVAL.toMillis());
        }
    }

    private void awaitNode(Deadline deadline) throws InterruptedException {
        Map<String, Object> config =
                Map.of(
                        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                        "127.0.0.1:" + port,
                        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                        (int) CALL_TIMEOUT.toMillis(),
                        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                        (int) CALL_TIMEOUT.toMillis());
        try (Admin admin = Admin.create(config)) {
            while (!hasNode(admin)) {
                checkAlive();
                checkDeadline(deadline, "it described no cluster node");
                Thread.sleep(POLL_INTERVAL.toMillis());
            }
        }
    }

    private boolean portOpen() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean hasNode(Admin admin) throws InterruptedException {
        DescribeClusterOptions options =
                new DescribeClusterOptions().timeoutMs((int) CALL_TIMEOUT.toMillis());
        try {
            Collection<Node> nodes =
                    admin.describeCluster(options)
                            .nodes()
                            .get(CALL_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            return !nodes.isEmpty();
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    private void checkAlive() {
        if (!process.isAlive()) {
            throw new IllegalStateException(
                    "The Kafka broker exited with code "
                            + process.exitValue()
                            + " while starting."
                            + diagnostics.get());
        }
    }

    private void checkDeadline(Deadline deadline, String symptom) {
        if (System.nanoTime() - deadline.nanoTime() > 0) {
            throw new IllegalStateException(
                    "The Kafka broker was not ready within "
                            + deadline.timeout().toSeconds()
                            + " s: "
                            + symptom
                            + "."
                            + diagnostics.get());
        }
    }

    private record Deadline(long nanoTime, Duration timeout) {}
}
