package dev.agentstream.udfs.erasure;

/** How many things of one kind an erasure cleared, e.g. {@code context-slots}: 12. */
public class ErasedCount {

    public String kind;
    public long count;

    public ErasedCount() {}

    public ErasedCount(String kind, long count) {
        this.kind = kind;
        this.count = count;
    }

    @Override
    public String toString() {
        return kind + "=" + count;
    }
}
