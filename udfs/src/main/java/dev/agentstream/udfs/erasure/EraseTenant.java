package dev.agentstream.udfs.erasure;

/**
 * A verified command to erase everything the job holds of one tenant, as the control stage read it
 * from the control topic and broadcasts it to every keyed stage.
 */
public class EraseTenant {

    /** The command's id (the envelope's thread UUID): every part and the receipt carry it. */
    public String commandId;

    /** The tenant to erase; always a valid tenant name. */
    public String tenant;

    /** Who sent it: the envelope's {@code <from>}. */
    public String requestedBy;

    /** When its sender signed it, as the signature says (ISO-8601). */
    public String issued;

    /** Where it was read: {@code topic-partition-offset} of the control topic. */
    public String source;

    public EraseTenant() {}

    public EraseTenant(
            String commandId, String tenant, String requestedBy, String issued, String source) {
        this.commandId = commandId;
        this.tenant = tenant;
        this.requestedBy = requestedBy;
        this.issued = issued;
        this.source = source;
    }

    @Override
    public String toString() {
        return "EraseTenant{" + commandId + ", tenant=" + tenant + ", by=" + requestedBy + "}";
    }
}
