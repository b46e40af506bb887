package dev.agentstream.udfs.registry;

import java.util.Arrays;

/**
 * A registry link the job writes into an envelope's meta (see {@link LinkXml}) and signs (see
 * {@link LinkSigner}), so that the thread it arrives on can trust it.
 *
 * <ul>
 *   <li>A <em>call</em> opens a subthread: an agent sends a payload to a peer on a new thread.
 *       {@link #thread} is the subthread, {@link #peer} the parent thread, and {@link #chain} the
 *       callers from the root thread down to the callee, e.g. {@code [console, greeter, shouter]}.
 *   <li>An <em>answer</em> carries what came back on a subthread to the caller on the parent
 *       thread. {@link #thread} is the parent thread, {@link #peer} the subthread, and {@link
 *       #chain} the caller's own chain, ending with the caller.
 * </ul>
 *
 * <p>The chain is kept as a list, never joined into one string, so that listener names may hold any
 * character (dots included). A Flink POJO: it is kept in keyed state.
 */
public class RouteLink {

    public static final String CALL = "call";
    public static final String ANSWER = "answer";

    /** {@link #CALL} or {@link #ANSWER}. */
    public String kind;

    /** The thread the link's envelope travels on. */
    public String thread;

    /** The other end: the parent thread of a call, the subthread of an answer. */
    public String peer;

    /** The conversation's root thread: where the chain started. */
    public String root;

    /** Listener names from the root thread's sender down; at least two. */
    public String[] chain;

    /** An answer's own id (its message id), so that a thread takes it once; empty for a call. */
    public String id = "";

    /**
     * When the job wrote the link, epoch milliseconds: a link older than the context's TTL is not
     * believed, since the state that would show it was taken already may have expired.
     */
    public long at;

    /** Signature of the job over everything above, see {@link LinkSigner}. */
    public String sig = "";

    public RouteLink() {}

    /**
     * Kept in state only, never written or signed: true once the call has been answered (a call is
     * answered once).
     */
    public boolean answered;

    /**
     * Kept in state only: true once an answer has gone up and the callee's turn that sent it may
     * still send more (an answer of several elements).
     */
    public boolean answering;

    public RouteLink(String kind, String thread, String peer, String root, String[] chain) {
        this.kind = kind;
        this.thread = thread;
        this.peer = peer;
        this.root = root;
        this.chain = chain;
    }

    public boolean isCall() {
        return CALL.equals(kind);
    }

    /** The last name of the chain: the callee of a call, the caller an answer returns to. */
    public String last() {
        return chain[chain.length - 1];
    }

    /** The name before the last: the caller of a call, the one an answered caller replies to. */
    public String beforeLast() {
        return chain[chain.length - 2];
    }

    /** Calls between the root thread and this link's thread: 1 for a first subthread. */
    public int depth() {
        return chain.length - 2;
    }

    /** True when the link has every field a well-formed link needs. */
    public boolean isComplete() {
        return (CALL.equals(kind) || ANSWER.equals(kind))
                && thread != null
                && peer != null
                && root != null
                && id != null
                && at >= 0
                && chain != null
                && chain.length >= 2
                && Arrays.stream(chain).allMatch(name -> name != null && !name.isEmpty());
    }

    @Override
    public String toString() {
        return "RouteLink{"
                + kind
                + ", thread="
                + thread
                + ", peer="
                + peer
                + ", depth="
                + (chain == null ? "?" : String.valueOf(chain.length - 2))
                + "}";
    }
}
