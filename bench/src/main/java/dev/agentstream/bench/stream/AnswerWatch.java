package dev.agentstream.bench.stream;

import dev.agentstream.devtools.load.LatencyConsumer;
import dev.agentstream.devtools.load.LatencyConsumer.Isolation;
import dev.agentstream.devtools.load.LatencyConsumer.Settings;
import dev.agentstream.devtools.load.LatencySnapshot;
import org.HdrHistogram.Histogram;

import java.time.Duration;
import java.util.List;

/**
 * The answers of a round as the load generator's latency consumer counts them: on the bus for the
 * full job (matched to their inputs by the job's turn end), or on the pass-through's output topic
 * (copies of the inputs).
 */
final class AnswerWatch implements AutoCloseable {

    private final LatencyConsumer consumer;

    /**
     * Reads the answers on {@code topic} and, for the full job, the inputs on {@code inputTopic}
     * too (the bus itself, or the clients' ingress), which match them.
     */
    AnswerWatch(
            String bootstrap,
            String topic,
            String inputTopic,
            String client,
            boolean copies,
            boolean committed) {
        Settings settings =
                copies
                        ? new Settings(
                                bootstrap,
                                List.of(),
                                List.of(topic),
                                Isolation.READ_COMMITTED,
                                client,
                                0)
                        : Settings.of(
                                bootstrap,
                                topic.equals(inputTopic)
                                        ? List.of(topic)
                                        : List.of(topic, inputTopic),
                                client);
        this.consumer =
                LatencyConsumer.start(
                        settings.withIsolation(
                                committed ? Isolation.READ_COMMITTED : Isolation.READ_UNCOMMITTED));
    }

    long answered() {
        return consumer.snapshot().answered();
    }

    boolean awaitAnswered(long n, Duration timeout) throws InterruptedException {
        return consumer.awaitAnswered(n, timeout);
    }

    LatencySnapshot snapshot() {
        return consumer.snapshot();
    }

    /** End-to-end latencies in microseconds. */
    Histogram latencies() {
        return consumer.snapshot().histogram();
    }

    long answeredTwice() {
        return consumer.snapshot().answeredMoreThanOnce();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
