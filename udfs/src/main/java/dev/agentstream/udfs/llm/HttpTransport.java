package dev.agentstream.udfs.llm;

import dev.agentstream.udfs.turn.Turn;
import io.netty.handler.codec.http.HttpHeaders;
import org.asynchttpclient.AsyncCompletionHandler;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.Dsl;
import org.asynchttpclient.HttpResponseBodyPart;
import org.asynchttpclient.HttpResponseStatus;
import org.asynchttpclient.ListenableFuture;
import org.asynchttpclient.Response;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * What every provider client needs from HTTP: one async-http-client with its own retries and
 * redirects off (retrying is the router's decision, never the transport's), a JSON POST carrying
 * the turn's idempotency key, a bound on the body it reads, and an abort when the caller gives up.
 */
final class HttpTransport implements AutoCloseable {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    /** The largest response body read; async-http-client would otherwise hold any size whole. */
    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    private final AsyncHttpClient http;
    private final int maxBodyBytes;

    /**
     * @param threadPoolName the name of the client's I/O threads, to tell providers apart in a
     *     thread dump
     * @param timeout how long a request may take, and how long it may stay silent
     */
    HttpTransport(String threadPoolName, Duration timeout) {
        this(threadPoolName, timeout, MAX_BODY_BYTES);
    }

    HttpTransport(String threadPoolName, Duration timeout, int maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
        this.http =
                Dsl.asyncHttpClient(
                        Dsl.config()
                                .setThreadPoolName(threadPoolName)
                                .setMaxRequestRetry(0)
                                .setConnectTimeout(Duration.ofSeconds(10))
                                .setRequestTimeout(timeout)
                                .setReadTimeout(timeout)
                                .setFollowRedirect(false));
    }

    /**
     * Posts {@code json} for {@code turn} and reads the answer with {@code parse}. The future fails
     * with {@link LlmCallException}: status 0 when no response came, the response's status when its
     * body is over the bound; cancelling it aborts the request and frees its connection.
     *
     * @param headers sent as they are, besides the JSON content type and the idempotency key
     */
    <T> CompletableFuture<T> post(
            String url,
            Map<String, String> headers,
            byte[] json,
            Turn turn,
            Function<Response, T> parse) {
        var request =
                http.preparePost(url)
                        .setHeader("Content-Type", "application/json")
                        .setHeader("Accept", "application/json")
                        .setBody(json);
        headers.forEach(request::setHeader);
        // One key per turn, the same on every attempt and on a replay after a restore, so that a
        // provider that honours it bills a re-sent call once.
        request.setHeader(IDEMPOTENCY_KEY, idempotencyKey(turn));
        ListenableFuture<Response> pending = request.execute(new BoundedBody(maxBodyBytes));
        CompletableFuture<T> reply =
                pending.toCompletableFuture()
                        .handle(
                                (response, error) -> {
                                    if (error != null) {
                                        throw transportFailure(error);
                                    }
                                    return parse.apply(response);
                                });
        // Cancelling the reply (the turn timed out) aborts the request and frees its connection.
        reply.whenComplete(
                (r, e) -> {
                    if (reply.isCancelled()) {
                        pending.abort(new CancellationException("the turn timed out"));
                    }
                });
        return reply;
    }

    /** The idempotency key of a turn's call: derived from its input envelope and agent. */
    static String idempotencyKey(Turn turn) {
        String name = turn.inputEnvelopeId + "/" + turn.agent;
        return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static LlmCallException transportFailure(Throwable error) {
        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
        if (cause instanceof LlmCallException refused) {
            return refused; // the body was over the bound
        }
        return new LlmCallException("no response: " + cause.getClass().getSimpleName(), cause);
    }

    @Override
    public void close() throws IOException {
        http.close();
    }

    /**
     * Collects a response like async-http-client's default handler, but stops reading once the body
     * (declared or received) passes the bound.
     */
    private static final class BoundedBody extends AsyncCompletionHandler<Response> {

        private final long maxBytes;
        private int status;
        private long received;
        private boolean tooLarge;

        BoundedBody(long maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public State onStatusReceived(HttpResponseStatus responseStatus) throws Exception {
            status = responseStatus.getStatusCode();
            received = 0;
            return super.onStatusReceived(responseStatus);
        }

        @Override
        public State onHeadersReceived(HttpHeaders headers) throws Exception {
            String declared = headers.get("Content-Length");
            if (declared != null && declaredLength(declared) > maxBytes) {
                tooLarge = true;
                return State.ABORT;
            }
            return super.onHeadersReceived(headers);
        }

        @Override
        public State onBodyPartReceived(HttpResponseBodyPart part) throws Exception {
            received += part.length();
            if (received > maxBytes) {
                tooLarge = true;
                return State.ABORT;
            }
            return super.onBodyPartReceived(part);
        }

        @Override
        public Response onCompleted(Response response) {
            if (tooLarge) {
                throw new LlmCallException(
                        status, "HTTP " + status + " with a body over " + maxBytes + " bytes");
            }
            return response;
        }

        @Override
        public void onThrowable(Throwable t) {
            // reported through the future; nothing to log here
        }

        private static long declaredLength(String value) {
            try {
                return Long.parseLong(value.strip());
            } catch (NumberFormatException unreadable) {
                return -1; // the bytes received are counted instead
            }
        }
    }
}
