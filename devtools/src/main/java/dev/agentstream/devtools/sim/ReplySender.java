package dev.agentstream.devtools.sim;

import com.sun.net.httpserver.HttpExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;

/** Writes an {@link HttpReply} to its exchange as its delivery says, then closes the exchange. */
final class ReplySender {

    private static final Logger LOG = LoggerFactory.getLogger(ReplySender.class);

    private ReplySender() {}

    /** Sends {@code reply}; a client that hung up is only logged. */
    static void send(HttpExchange exchange, HttpReply reply) {
        try {
            switch (reply.delivery()) {
                case RESET:
                    // Closing an exchange whose headers were never sent drops the connection.
                    break;
                case TRUNCATED:
                    sendHalf(exchange, reply);
                    break;
                default:
                    sendAll(exchange, reply);
            }
        } catch (IOException e) {
            LOG.debug("Client went away before the reply was sent: {}", e.toString());
        } finally {
            exchange.close();
        }
    }

    private static void sendAll(HttpExchange exchange, HttpReply reply) throws IOException {
        sendHeaders(exchange, reply);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(reply.body());
        }
    }

    /**
     * Announces the whole body but writes half of it. The exchange is not closed through its
     * stream: with bytes still owed, closing the exchange closes the connection.
     */
    private static void sendHalf(HttpExchange exchange, HttpReply reply) throws IOException {
        sendHeaders(exchange, reply);
        OutputStream out = exchange.getResponseBody();
        out.write(reply.body(), 0, reply.body().length / 2);
        out.flush();
    }

    private static void sendHeaders(HttpExchange exchange, HttpReply reply) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        reply.headers().forEach(exchange.getResponseHeaders()::set);
        exchange.sendResponseHeaders(reply.status(), reply.body().length);
    }
}
