package dev.agentstream.devtools.load;

import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeException;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.registry.LinkXml;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The bookkeeping of the {@link LatencyConsumer}, one record at a time, with no Kafka in it. On a
 * bus topic: a generated input (from the client, with a {@link SentAt}) is remembered by its
 * coordinates; an envelope to the client from anyone else that carries the job's {@code <turn-end>}
 * is the answer to the input it names, and its latency is the time it was polled less the input's
 * {@code sent-at}; how long the input itself took to be polled is kept too. An answer seen before
 * its input (another partition read first) waits for it. On a pass-through topic a record that
 * carries a {@code <sent-at>} itself is measured directly, and its {@code seq} tells repeats. Not
 * thread-safe.
 */
final class LatencyBook {

    private static final String HUH = "huh";

    private final String client;
    private final Set<String> passThroughTopics;
    private final long sinceMicros;
    private final EnvelopeCodec codec = new EnvelopeCodec(EnvelopeLimits.defaults());
    private final SentAt sentAt = new SentAt(EnvelopeLimits.defaults());
    private final LinkXml links = new LinkXml(EnvelopeLimits.defaults());
    private final InputLedger ledger = new InputLedger();
    private final Map<String, List<Answer>> waiting = new HashMap<>();
    private final BitSet passedThrough = new BitSet();
    private final BitSet passedTwice = new BitSet();
    private final Histogram histogram = new Histogram(3);
    private final Histogram inputVisible = new Histogram(3);
    private long inputs;
    private long contextInputs;
    private long answered;
    private long answeredMoreThanOnce;
    private long waitingCount;
    private long earlier;
    private long errorAnswers;
    private long notAnswers;

    private record Answer(long polledMicros, boolean error) {}

    LatencyBook(String client, Set<String> passThroughTopics, long sinceMicros) {
        this.client = client;
        this.passThroughTopics = Set.copyOf(passThroughTopics);
        this.sinceMicros = sinceMicros;
    }

    /** Takes one record polled at {@code polledMicros} (epoch microseconds). */
    void record(String topic, int partition, long offset, byte[] value, long polledMicros) {
        Envelope envelope;
        try {
            envelope = codec.decode(value);
        } catch (EnvelopeException | RuntimeException notAnEnvelope) {
            notAnswers++;
            return;
        }
        Optional<SentAt.Stamp> stamp = sentAt.read(envelope.metaExtensions);
        if (passThroughTopics.contains(topic)) {
            passedThrough(stamp, polledMicros);
        } else if (stamp.isPresent() && client.equals(envelope.from)) {
            input(topic, partition, offset, stamp.get(), polledMicros);
        } else if (client.equals(envelope.to) && !client.equals(envelope.from)) {
            answer(envelope, polledMicros);
        } else {
            notAnswers++;
        }
    }

    LatencySnapshot snapshot() {
        return new LatencySnapshot(
                histogram.copy(),
                inputVisible.copy(),
                inputs,
                contextInputs,
                answered,
                answeredMoreThanOnce,
                waitingCount,
                earlier,
                errorAnswers,
                notAnswers);
    }

    long answered() {
        return answered;
    }

    private void input(
            String topic, int partition, long offset, SentAt.Stamp stamp, long polledMicros) {
        if (stamp.context()) {
            contextInputs += stamp.micros() >= sinceMicros ? 1 : 0;
            return;
        }
        if (stamp.micros() >= sinceMicros) {
            inputs++;
            inputVisible.recordValue(Math.max(0, polledMicros - stamp.micros()));
        }
        ledger.remember(topic, partition, offset, stamp.micros());
        List<Answer> early = waiting.remove(topic + "-" + partition + "-" + offset);
        if (early != null) {
            waitingCount -= early.size();
            for (Answer answer : early) {
                matched(ledger.answer(topic + "-" + partition + "-" + offset), answer);
            }
        }
    }

    private void answer(Envelope envelope, long polledMicros) {
        Optional<String> input = links.readTurnEnd(envelope.metaExtensions);
        if (input.isEmpty()) {
            notAnswers++;
            return;
        }
        boolean error =
                SystemPayloads.SYSTEM_NS.equals(envelope.payloadNamespace)
                        && HUH.equals(envelope.payloadRoot);
        Answer answer = new Answer(polledMicros, error);
        InputLedger.Lookup lookup = ledger.answer(input.get());
        if (lookup.known()) {
            matched(lookup, answer);
        } else {
            waiting.computeIfAbsent(input.get(), k -> new ArrayList<>(1)).add(answer);
            waitingCount++;
        }
    }

    private void matched(InputLedger.Lookup lookup, Answer answer) {
        if (lookup.sentAtMicros() < sinceMicros) {
            earlier++;
        } else if (lookup.earlierAnswers() == 0) {
            measured(answer.polledMicros() - lookup.sentAtMicros());
            if (answer.error()) {
                errorAnswers++;
            }
        } else if (lookup.earlierAnswers() == 1) {
            answeredMoreThanOnce++;
        }
    }

    private void passedThrough(Optional<SentAt.Stamp> stamp, long polledMicros) {
        if (stamp.isEmpty() || stamp.get().context()) {
            notAnswers++;
            return;
        }
        if (stamp.get().micros() < sinceMicros) {
            earlier++;
            return;
        }
        long number = stamp.get().seq();
        if (number < 0 || number >= Integer.MAX_VALUE) {
            notAnswers++;
            return;
        }
        int seq = (int) number;
        if (!passedThrough.get(seq)) {
            passedThrough.set(seq);
            measured(polledMicros - stamp.get().micros());
        } else if (!passedTwice.get(seq)) {
            passedTwice.set(seq);
            answeredMoreThanOnce++;
        }
    }

    private void measured(long micros) {
        histogram.recordValue(Math.max(0, micros));
        answered++;
    }
}
