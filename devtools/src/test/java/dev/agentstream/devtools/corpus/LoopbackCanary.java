package dev.agentstream.devtools.corpus;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A port on 127.0.0.1 that nobody should ever connect to: hostile input points its external
 * entities and includes at it, and the test asserts at the end that it saw no connection. Accepts
 * and counts on a thread of its own until closed.
 */
public final class LoopbackCanary implements AutoCloseable {

    private final ServerSocket socket;
    private final AtomicInteger connections = new AtomicInteger();
    private final Thread acceptor;

    private LoopbackCanary(ServerSocket socket) {
        this.socket = socket;
        this.acceptor = new Thread(this::acceptAll, "loopback-canary-" + socket.getLocalPort());
        this.acceptor.setDaemon(true);
    }

    /** Listens on an ephemeral port of 127.0.0.1. */
    public static LoopbackCanary start() throws IOException {
        LoopbackCanary canary =
                new LoopbackCanary(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        canary.acceptor.start();
        return canary;
    }

    /** {@code http://127.0.0.1:<port>/}. */
    public String url() {
        return "http://127.0.0.1:" + socket.getLocalPort() + "/";
    }

    /** How many connections were accepted so far. */
    public int connections() {
        return connections.get();
    }

    private void acceptAll() {
        while (!socket.isClosed()) {
            try (Socket ignored = socket.accept()) {
                connections.incrementAndGet();
            } catch (SocketException closed) {
                return;
            } catch (IOException e) {
                connections.incrementAndGet(); // something reached the port and failed there
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
