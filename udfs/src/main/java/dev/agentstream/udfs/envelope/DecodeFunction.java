package dev.agentstream.udfs.envelope;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import static org.apache.flink.util.Preconditions.checkNotNull;

/**
 * The first stage of the job: decodes each bus record into an {@link Envelope} whose id is the
 * record's coordinates. A record that is not a usable envelope goes to {@link #DEAD_LETTERS} with
 * its reason and original bytes; bad input never fails the job. Owns no state.
 */
public class DecodeFunction extends ProcessFunction<BusRecord, Envelope> {

    /** Records that could not be decoded. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    /** Name of the counter of dead letters in the function's metric group. */
    public static final String DEAD_LETTERS_METRIC = "deadLetters";

    private static final long serialVersionUID = 1L;

    private final EnvelopeLimits limits;

    private transient EnvelopeCodec codec;
    private transient Counter deadLetters;

    public DecodeFunction(EnvelopeLimits limits) {
        this.limits = checkNotNull(limits, "limits");
    }

    @Override
    public void open(OpenContext openContext) {
        codec = new EnvelopeCodec(limits);
        deadLetters = getRuntimeContext().getMetricGroup().counter(DEAD_LETTERS_METRIC);
    }

    @Override
    public void processElement(BusRecord record, Context ctx, Collector<Envelope> out) {
        if (record.value == null) {
            reject(record, DeadLetterReason.NOT_XML, "record has no value", null, ctx);
            return;
        }
        try {
            Envelope envelope = codec.decode(record.value);
            envelope.envelopeId = record.coordinates();
            out.collect(envelope);
        } catch (EnvelopeException e) {
            reject(record, e.reason(), e.getMessage(), e.thread(), ctx);
        } catch (RuntimeException e) {
            // A parser bug on strange input must not become a poison record that fails the job
            // on every restart; the detail names the failure so that it can be found and fixed.
            String detail = "decoder failed: " + e.getClass().getSimpleName();
            reject(record, DeadLetterReason.NOT_XML, detail, null, ctx);
        }
    }

    private void reject(
            BusRecord record, DeadLetterReason reason, String detail, String thread, Context ctx) {
        deadLetters.inc();
        ctx.output(
                DEAD_LETTERS,
                new DeadLetter(reason, detail, record.coordinates(), thread, record.value));
    }
}
