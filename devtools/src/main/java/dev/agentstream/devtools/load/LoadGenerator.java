package dev.agentstream.devtools.load;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends a {@link LoadPlan} onto the bus from a thread of its own: agent envelopes paced by a {@link
 * Pacer} on {@code System.nanoTime()} (the thread parks between them, it never spins), prefill
 * envelopes unpaced before each fresh thread's first agent envelope. One Kafka producer,
 * idempotent, {@code acks=all}, a small linger; records are keyed by thread id. Failed sends are
 * counted, and the first failure kept, never thrown away; a record the producer refuses at once (no
 * broker within {@code max.block.ms}, 10 s) stops the run.
 *
 * <pre>{@code
 * try (LoadGenerator load = LoadGenerator.start(plan)) {
 *     load.awaitDone(Duration.ofMinutes(5));
 *     System.out.println(load.sent() + " sent, " + load.errors() + " failed");
 * }
 * }</pre>
 */
public final class LoadGenerator implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LoadGenerator.class);

    private final LoadPlan plan;
    private final LoadEnvelopes envelopes;
    private final KafkaProducer<byte[], byte[]> producer;
    private final Thread thread;
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong prefillSent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private volatile long slipped;
    private volatile long startNanos;
    private volatile long endNanos;
    private volatile boolean stopping;

    private LoadGenerator(LoadPlan plan) {
        this.plan = plan;
        this.envelopes = new LoadEnvelopes(plan);
        this.producer = producer(plan.bootstrapServers());
        this.thread = new Thread(this::run, "agentstream-load-generator");
        this.thread.setDaemon(true);
    }

    /**
     * Starts sending {@code plan}.
     *
     * @throws IllegalArgumentException when token mode's secrets file lacks a tenant's secret
     */
    public static LoadGenerator start(LoadPlan plan) {
        LoadGenerator generator = new LoadGenerator(plan);
        generator.startNanos = System.nanoTime();
        generator.thread.start();
        LOG.info(
                "Load generator started: {}/s to {} on {}, {} threads, {} tenants ({})",
                plan.rate(),
                plan.to(),
                plan.topics(),
                plan.threads(),
                plan.tenants(),
                plan.tenantMode());
        return generator;
    }

    public LoadPlan plan() {
        return plan;
    }

    /** Agent envelopes handed to the producer so far. */
    public long sent() {
        return sent.get();
    }

    /** Context-only (prefill) envelopes handed to the producer so far. */
    public long prefillSent() {
        return prefillSent.get();
    }

    /** Envelopes of either kind the broker has acknowledged. */
    public long acknowledged() {
        return acknowledged.get();
    }

    /** Envelopes that could not be sent. */
    public long errors() {
        return errors.get();
    }

    /** What went wrong first, if anything did. */
    public Optional<String> firstError() {
        return Optional.ofNullable(firstError.get());
    }

    /** Slots of the schedule given up because the sender was more than {@code maxLag} behind. */
    public long slipped() {
        return slipped;
    }

    /** Time spent sending: until now, or until the last envelope went out. */
    public Duration elapsed() {
        long end = isDone() ? endNanos : System.nanoTime();
        return Duration.ofNanos(end - startNanos);
    }

    public boolean isDone() {
        return done.getCount() == 0;
    }

    /** Waits until every envelope is sent and acknowledged (or failed); false on timeout. */
    public boolean awaitDone(Duration timeout) throws InterruptedException {
        return done.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops sending, waits for what was sent to be acknowledged, closes the producer. */
    @Override
    public void close() {
        stopping = true;
        LockSupport.unpark(thread);
        try {
            if (!done.await(30, TimeUnit.SECONDS)) {
                LOG.warn("The load generator did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try (producer) {
            send();
            producer.flush();
        } catch (RuntimeException | Error e) {
            // An error too (out of memory): the summary must say the run failed, not "0 errors".
            failed(e);
            LOG.warn("The load generator stopped on an error", e);
        } finally {
            endNanos = System.nanoTime();
            done.countDown();
            LOG.info(
                    "Load generator done: {} sent, {} prefill, {} errors, {} slots given up",
                    sent.get(),
                    prefillSent.get(),
                    errors.get(),
                    slipped);
        }
    }

    private void send() {
        LoadSequence sequence = new LoadSequence(plan);
        Pacer pacer = new Pacer(plan.rate(), plan.maxLag(), startNanos);
        long deadline =
                plan.duration() == null ? Long.MAX_VALUE : startNanos + plan.duration().toNanos();
        while (!stopping && (plan.count() == 0 || sent.get() < plan.count())) {
            LoadSequence.Step step = sequence.next();
            if (step.kind() == LoadSequence.Kind.CONTEXT) {
                if (System.nanoTime() - deadline >= 0) {
                    return;
                }
                if (write(envelopes.write(step, -1, SentAt.nowMicros()))) {
                    prefillSent.incrementAndGet();
                }
                continue;
            }
            boolean due = awaitSlot(pacer, deadline);
            slipped = pacer.slipped();
            if (!due) {
                return;
            }
            if (write(envelopes.write(step, sent.get(), SentAt.nowMicros()))) {
                sent.incrementAndGet();
            }
            pacer.sent();
        }
    }

    /** Parks until the next slot is due; false when the deadline came first or close was asked. */
    private boolean awaitSlot(Pacer pacer, long deadline) {
        while (!stopping) {
            long now = System.nanoTime();
            if (now - deadline >= 0) {
                return false;
            }
            long wait = pacer.waitNanos(now);
            if (wait == 0) {
                return true;
            }
            LockSupport.parkNanos(Math.min(wait, deadline - now));
        }
        return false;
    }

    /** Hands the record to the producer; false if the producer refused it. */
    private boolean write(BusWrite record) {
        try {
            producer.send(
                    new ProducerRecord<>(record.topic(), record.key(), record.value()),
                    this::acknowledged);
            return true;
        } catch (KafkaException e) {
            // Not one record's bad luck (those fail in the callback): no metadata, a closed
            // producer, a full buffer past max.block.ms. Sending more would fail the same way.
            failed(e);
            stopping = true;
            LOG.warn("The load generator stops: the producer refused a record", e);
            return false;
        }
    }

    private void acknowledged(RecordMetadata metadata, Exception error) {
        if (error == null) {
            acknowledged.incrementAndGet();
            return;
        }
        failed(error);
        if (acknowledged.get() == 0 && !stopping) {
            // Nothing ever got through (no broker, no topic): every record would fail the same.
            stopping = true;
            LockSupport.unpark(thread);
            LOG.warn("The load generator stops: its first record failed", error);
        }
    }

    private void failed(Throwable error) {
        errors.incrementAndGet();
        firstError.compareAndSet(
                null, error.getClass().getSimpleName() + ": " + error.getMessage());
    }

    private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
        Map<String, Object> config =
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ProducerConfig.CLIENT_ID_CONFIG,
                        "agentstream-load",
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                        true,
                        ProducerConfig.LINGER_MS_CONFIG,
                        2,
                        ProducerConfig.MAX_BLOCK_MS_CONFIG,
                        10_000);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }
}
