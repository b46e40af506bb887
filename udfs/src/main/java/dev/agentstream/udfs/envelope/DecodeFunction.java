package dev.agentstream.udfs.envelope;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import dev.agentstream.udfs.registry.RegistrySettings;
import dev.agentstream.udfs.tenant.TenantException;
import dev.agentstream.udfs.tenant.TenantResolver;
import dev.agentstream.udfs.tenant.TenantSettings;
import dev.agentstream.udfs.trace.DecodeSpans;

import static org.apache.flink.util.Preconditions.checkNotNull;

/**
 * The first stage of the job: decodes each bus record into an {@link Envelope} whose id is the
 * record's coordinates, and decides its tenant (see {@link TenantResolver}). A record that is not a
 * usable envelope, or whose tenant cannot be told, goes to {@link #DEAD_LETTERS} with its reason
 * and original bytes; bad input never fails the job. Owns no state.
 */
public class DecodeFunction extends ProcessFunction<BusRecord, Envelope> {

    /** Records that could not be decoded. */
    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    /** Name of the counter of dead letters in the function's metric group. */
    public static final String DEAD_LETTERS_METRIC = "deadLetters";

    private static final long serialVersionUID = 1L;

    private final EnvelopeLimits limits;
    private final TenantSettings tenants;
    private final RegistrySettings registry;

    private transient EnvelopeCodec codec;
    private transient TenantResolver resolver;
    private transient Counter deadLetters;
    private transient DecodeSpans spans;

    /** Every envelope for the default tenant; a stamp never verifies (there is no key). */
    public DecodeFunction(EnvelopeLimits limits) {
        this(limits, TenantSettings.defaults(), null);
    }

    /**
     * @param registry settings of the key that signs the job's tenant stamps; null for none
     */
    public DecodeFunction(
            EnvelopeLimits limits, TenantSettings tenants, RegistrySettings registry) {
        this.limits = checkNotNull(limits, "limits");
        this.tenants = checkNotNull(tenants, "tenants");
        this.registry = registry;
    }

    @Override
    public void open(OpenContext openContext) {
        codec = new EnvelopeCodec(limits);
        resolver =
                new TenantResolver(tenants, registry == null ? null : registry.loadKey(), limits);
        deadLetters = getRuntimeContext().getMetricGroup().counter(DEAD_LETTERS_METRIC);
        spans = DecodeSpans.open(getRuntimeContext(), limits);
    }

    @Override
    public void processElement(BusRecord record, Context ctx, Collector<Envelope> out) {
        spans.begin();
        if (record.value == null) {
            reject(record, DeadLetterReason.NOT_XML, "record has no value", null, null, ctx);
            return;
        }
        Envelope envelope;
        try {
            envelope = codec.decode(record.value);
            envelope.envelopeId = record.coordinates();
        } catch (EnvelopeException e) {
            reject(record, e.reason(), e.getMessage(), e.thread(), null, ctx);
            return;
        } catch (RuntimeException e) {
            // A parser bug on strange input must not become a poison record that fails the job
            // on every restart; the detail names the failure so that it can be found and fixed.
            String detail = "decoder failed: " + e.getClass().getSimpleName();
            reject(record, DeadLetterReason.NOT_XML, detail, null, null, ctx);
            return;
        }
        try {
            envelope.tenant =
                    resolver.resolve(
                            record.topic, envelope, ctx.timerService().currentProcessingTime());
        } catch (TenantException e) {
            reject(record, e.reason(), e.getMessage(), envelope.thread, e.tenant(), ctx);
            return;
        } catch (RuntimeException e) {
            // As above: a library's failure on a hostile token is that token's dead letter.
            String detail = "token check failed: " + e.getClass().getSimpleName();
            reject(record, DeadLetterReason.TOKEN_MALFORMED, detail, envelope.thread, null, ctx);
            return;
        }
        spans.decoded(envelope);
        out.collect(envelope);
    }

    private void reject(
            BusRecord record,
            DeadLetterReason reason,
            String detail,
            String thread,
            String tenant,
            Context ctx) {
        deadLetters.inc();
        spans.rejected(reason.code(), record.coordinates(), thread, tenant);
        ctx.output(
                DEAD_LETTERS,
                new DeadLetter(reason, detail, record.coordinates(), thread, record.value)
                        .withTenant(tenant));
    }

    @Override
    public void close() {
        if (spans != null) {
            spans.close();
        }
    }
}
