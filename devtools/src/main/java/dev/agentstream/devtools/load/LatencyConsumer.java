package dev.agentstream.devtools.load;

import org.apache.flink.util.Preconditions;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Measures end-to-end latency on the bus, from its own thread: reads the given topics from the
 * beginning (no consumer group: it assigns itself every partition, and picks up partitions that
 * appear later), remembers each generated input's {@code <sent-at>} by its coordinates, and for
 * each answer the job writes to the client (the envelope carrying the job's {@code <turn-end>})
 * records the wall-clock time it was polled less the input's {@code sent-at} into an HdrHistogram.
 * Records on pass-through topics carry their {@code <sent-at>} themselves and are measured
 * directly. See {@link LatencyBook} for what counts as what.
 *
 * <pre>{@code
 * try (LatencyConsumer latency = LatencyConsumer.start(
 *         LatencyConsumer.Settings.of(bootstrap, plan.topics(), plan.from()))) {
 *     ... run the load ...
 *     latency.awaitAnswered(load.sent(), Duration.ofSeconds(60));
 *     LatencySnapshot s = latency.snapshot();
 * }
 * }</pre>
 */
public final class LatencyConsumer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LatencyConsumer.class);

    private static final Duration POLL = Duration.ofMillis(100);
    private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** The consumer's {@code isolation.level}. */
    public enum Isolation {
        /** Only what the job's checkpoints committed: what a reader of the bus sees. */
        READ_COMMITTED,
        /** Also records of open transactions: the job's output before its checkpoint commits. */
        READ_UNCOMMITTED;

        String kafkaName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * Where and how to measure.
     *
     * @param topics the bus topics: where the generated inputs and the job's answers are
     * @param passThroughTopics topics of copies that carry {@code <sent-at>} themselves
     * @param client the listener the inputs come from and the answers go to
     * @param sinceMicros inputs sent before this (epoch microseconds) are an earlier run's: their
     *     answers are counted apart and not measured
     */
    public record Settings(
            String bootstrapServers,
            List<String> topics,
            List<String> passThroughTopics,
            Isolation isolation,
            String client,
            long sinceMicros) {

        public Settings {
            Preconditions.checkArgument(
                    bootstrapServers != null && !bootstrapServers.isBlank(),
                    "the bootstrap servers are needed");
            topics = List.copyOf(topics);
            passThroughTopics = List.copyOf(passThroughTopics);
            Preconditions.checkArgument(
                    !topics.isEmpty() || !passThroughTopics.isEmpty(), "no topic to read");
            Preconditions.checkNotNull(isolation, "isolation");
            Preconditions.checkArgument(
                    client != null && !client.isBlank(), "the client's listener name is needed");
        }

        /** Every record of {@code topics}, read committed. */
        public static Settings of(String bootstrapServers, List<String> topics, String client) {
            return new Settings(
                    bootstrapServers, topics, List.of(), Isolation.READ_COMMITTED, client, 0);
        }

        public Settings withIsolation(Isolation value) {
            return new Settings(
                    bootstrapServers, topics, passThroughTopics, value, client, sinceMicros);
        }

        public Settings withPassThroughTopics(List<String> value) {
            return new Settings(bootstrapServers, topics, value, isolation, client, sinceMicros);
        }

        public Settings withSince(long micros) {
            return new Settings(
                    bootstrapServers, topics, passThroughTopics, isolation, client, micros);
        }
    }

    private final Settings settings;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final LatencyBook book;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final Set<TopicPartition> assigned = new HashSet<>();
    private volatile boolean closing;
    private volatile RuntimeException failure;

    private LatencyConsumer(Settings settings) {
        this.settings = settings;
        this.book =
                new LatencyBook(
                        settings.client(),
                        new HashSet<>(settings.passThroughTopics()),
                        settings.sinceMicros());
        this.consumer = consumer(settings);
        this.thread = new Thread(this::run, "agentstream-load-latency");
        this.thread.setDaemon(true);
    }

    public static LatencyConsumer start(Settings settings) {
        LatencyConsumer latency = new LatencyConsumer(settings);
        latency.thread.start();
        return latency;
    }

    /** Reads {@code topics} with {@code isolation}, for the answers to {@code client}. */
    public static LatencyConsumer start(
            String bootstrapServers, List<String> topics, Isolation isolation, String client) {
        return start(Settings.of(bootstrapServers, topics, client).withIsolation(isolation));
    }

    /** A copy of the histogram and the counts as they are now. */
    public LatencySnapshot snapshot() {
        synchronized (book) {
            return book.snapshot();
        }
    }

    /**
     * Waits until {@code n} inputs have been answered; false when the timeout came first.
     *
     * @throws IllegalStateException when the consumer stopped on an error
     */
    public boolean awaitAnswered(long n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (book) {
            while (book.answered() < n) {
                if (failure != null) {
                    throw new IllegalStateException("the latency consumer failed", failure);
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || stopped.getCount() == 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(book, left);
            }
            return true;
        }
    }

    @Override
    public void close() {
        closing = true;
        consumer.wakeup();
        try {
            if (!stopped.await(10, TimeUnit.SECONDS)) {
                LOG.warn("The latency consumer did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try (consumer) {
            long refreshed = System.nanoTime() - REFRESH_NANOS;
            while (!closing) {
                if (System.nanoTime() - refreshed >= REFRESH_NANOS) {
                    assignNewPartitions();
                    refreshed = System.nanoTime();
                }
                if (assigned.isEmpty()) {
                    Thread.sleep(POLL.toMillis());
                    continue;
                }
                ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                long polled = SentAt.nowMicros();
                synchronized (book) {
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                        book.record(r.topic(), r.partition(), r.offset(), r.value(), polled);
                    }
                    book.notifyAll();
                }
            }
        } catch (WakeupException e) {
            // close() asked
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
            LOG.warn("The latency consumer stopped on an error", e);
        } finally {
            stopped.countDown();
            synchronized (book) {
                book.notifyAll();
            }
        }
    }

    /** Assigns partitions of the topics that appeared since the last look, from their start. */
    private void assignNewPartitions() {
        Map<String, List<PartitionInfo>> existing = consumer.listTopics(Duration.ofSeconds(5));
        List<TopicPartition> fresh = new ArrayList<>();
        for (String topic : allTopics()) {
            for (PartitionInfo p : existing.getOrDefault(topic, List.of())) {
                TopicPartition partition = new TopicPartition(p.topic(), p.partition());
                if (assigned.add(partition)) {
                    fresh.add(partition);
                }
            }
        }
        if (!fresh.isEmpty()) {
            consumer.assign(assigned);
            consumer.seekToBeginning(fresh);
            LOG.info("Latency consumer reads {} from the beginning", fresh);
        }
    }

    private List<String> allTopics() {
        List<String> all = new ArrayList<>(settings.topics());
        all.addAll(settings.passThroughTopics());
        return all;
    }

    private static KafkaConsumer<byte[], byte[]> consumer(Settings settings) {
        Map<String, Object> config =
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        settings.bootstrapServers(),
                        ConsumerConfig.CLIENT_ID_CONFIG,
                        "agentstream-load-latency",
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        settings.isolation().kafkaName(),
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG,
                        false,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest");
        return new KafkaConsumer<>(
                config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
