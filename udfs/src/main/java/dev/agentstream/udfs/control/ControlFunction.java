package dev.agentstream.udfs.control;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

import dev.agentstream.udfs.emit.SystemPayloads;
import dev.agentstream.udfs.envelope.BusRecord;
import dev.agentstream.udfs.envelope.DeadLetter;
import dev.agentstream.udfs.envelope.DeadLetterReason;
import dev.agentstream.udfs.envelope.Envelope;
import dev.agentstream.udfs.envelope.EnvelopeCodec;
import dev.agentstream.udfs.envelope.EnvelopeException;
import dev.agentstream.udfs.envelope.EnvelopeLimits;
import dev.agentstream.udfs.erasure.EraseTenant;
import dev.agentstream.udfs.tenant.TenantNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

import static org.apache.flink.util.Preconditions.checkNotNull;

/**
 * Reads the control topic's records as signed commands (see {@link ControlXml}): an envelope whose
 * one signature verifies under the control key, signed no longer than {@link
 * ControlSettings#maxAge()} before the record reached the topic (the record's own time, so that a
 * replay after a restore decides the same), with a payload the job knows. Anything else goes to
 * {@link #DEAD_LETTERS} with its reason; nothing here fails the job. Owns no state.
 */
public class ControlFunction extends ProcessFunction<BusRecord, EraseTenant> {

    public static final OutputTag<DeadLetter> DEAD_LETTERS =
            new OutputTag<>("control-dead-letters", TypeInformation.of(DeadLetter.class));

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ControlFunction.class);

    private final EnvelopeLimits limits;
    private final ControlSettings settings;

    private transient EnvelopeCodec codec;
    private transient ControlXml xml;
    private transient ControlSigner signer;
    private transient Counter accepted;
    private transient Counter refused;

    public ControlFunction(EnvelopeLimits limits, ControlSettings settings) {
        this.limits = checkNotNull(limits, "limits");
        this.settings = checkNotNull(settings, "settings");
    }

    @Override
    public void open(OpenContext openContext) {
        codec = new EnvelopeCodec(limits);
        xml = new ControlXml(limits);
        signer = new ControlSigner(settings.loadKey());
        var metrics = getRuntimeContext().getMetricGroup();
        accepted = metrics.counter("controlCommands");
        refused = metrics.counter("controlCommandsRefused");
    }

    @Override
    public void processElement(BusRecord record, Context ctx, Collector<EraseTenant> out) {
        Envelope e;
        try {
            e = codec.decode(record.value);
        } catch (EnvelopeException bad) {
            refuse(record, bad.reason(), bad.getMessage(), bad.thread(), null, ctx);
            return;
        } catch (RuntimeException bug) {
            String detail = "decoder failed: " + bug.getClass().getSimpleName();
            refuse(record, DeadLetterReason.NOT_XML, detail, null, null, ctx);
            return;
        }
        try {
            check(record, e, ctx, out);
        } catch (RuntimeException bug) {
            String detail = "control check failed: " + bug.getClass().getSimpleName();
            refuse(record, DeadLetterReason.CONTROL_UNKNOWN, detail, e.thread, null, ctx);
        }
    }

    private void check(BusRecord record, Envelope e, Context ctx, Collector<EraseTenant> out) {
        List<ControlXml.Signature> signatures;
        try {
            signatures = xml.signatures(e.metaExtensions);
        } catch (IllegalArgumentException malformed) {
            refuse(record, DeadLetterReason.CONTROL_UNSIGNED, malformed.getMessage(), e, ctx);
            return;
        }
        if (signatures.size() != 1) {
            String detail =
                    signatures.isEmpty()
                            ? "no signature in the command's meta"
                            : "more than one signature in the command's meta";
            refuse(record, DeadLetterReason.CONTROL_UNSIGNED, detail, e, ctx);
            return;
        }
        Optional<String> tenant = xml.eraseTenant(e);
        if (tenant.isEmpty()) {
            String detail =
                    "not a command this job knows: <"
                            + e.payloadRoot
                            + "> (expected <EraseTenant tenant=\"...\"/> in "
                            + SystemPayloads.AGENTSTREAM_NS
                            + ")";
            refuse(record, DeadLetterReason.CONTROL_UNKNOWN, detail, e, ctx);
            return;
        }
        ControlXml.Signature signature = signatures.get(0);
        if (!signer.verify(
                signature.sig(),
                ControlXml.ERASE_TENANT,
                tenant.get(),
                e.thread,
                e.from,
                signature.issued())) {
            refuse(
                    record,
                    DeadLetterReason.CONTROL_SIGNATURE,
                    "the command's signature is not the control key's for this command",
                    e,
                    ctx);
            return;
        }
        Optional<String> age = ageProblem(signature.issued(), record.timestamp);
        if (age.isPresent()) {
            refuse(record, DeadLetterReason.CONTROL_EXPIRED, age.get(), e, ctx);
            return;
        }
        if (!TenantNames.isValid(tenant.get())) {
            String detail = "the command's tenant is not a tenant name ([a-z0-9][a-z0-9._-]{0,63})";
            refuse(record, DeadLetterReason.BAD_TENANT, detail, e, ctx);
            return;
        }
        accepted.inc();
        LOG.info("Control command {}: erase tenant {}, from {}", e.thread, tenant.get(), e.from);
        out.collect(
                new EraseTenant(
                        e.thread, tenant.get(), e.from, signature.issued(), record.coordinates()));
    }

    /** Why a command signed at {@code issued} is too old or too new for its record's time. */
    private Optional<String> ageProblem(String issued, long recordTime) {
        Instant signed;
        try {
            signed = Instant.parse(issued == null ? "" : issued);
        } catch (DateTimeParseException e) {
            return Optional.of("the signature's issued is not an ISO-8601 instant");
        }
        long ms = signed.toEpochMilli();
        if (ms < recordTime - settings.maxAge().toMillis()) {
            return Optional.of(
                    "signed more than control.max-age ("
                            + settings.maxAge()
                            + ") before it reached the control topic");
        }
        if (ms > recordTime + ControlSettings.SKEW.toMillis()) {
            return Optional.of("signed after it reached the control topic");
        }
        return Optional.empty();
    }

    private void refuse(
            BusRecord record, DeadLetterReason reason, String detail, Envelope e, Context ctx) {
        refuse(record, reason, detail, e.thread, null, ctx);
    }

    private void refuse(
            BusRecord record,
            DeadLetterReason reason,
            String detail,
            String thread,
            String tenant,
            Context ctx) {
        refused.inc();
        LOG.warn("Control record {} refused: {} ({})", record.coordinates(), reason.code(), detail);
        ctx.output(
                DEAD_LETTERS,
                new DeadLetter(reason, detail, record.coordinates(), thread, record.value)
                        .withTenant(tenant));
    }
}
