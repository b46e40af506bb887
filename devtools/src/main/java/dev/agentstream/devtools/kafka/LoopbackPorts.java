package dev.agentstream.devtools.kafka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks free TCP ports on 127.0.0.1. The ports are released before the caller binds them, so
 * another process may take one in between; the broker then fails to start and says so.
 */
final class LoopbackPorts {

    private LoopbackPorts() {}

    /** {@code count} distinct free ports, all held open together while they are chosen. */
    static int[] pick(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>(count);
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }
}
