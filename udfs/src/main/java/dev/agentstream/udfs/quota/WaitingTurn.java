package dev.agentstream.udfs.quota;

import dev.agentstream.udfs.turn.Turn;

/** A turn waiting for room in its tenant's quota. */
public class WaitingTurn {

    public Turn turn;

    /** Its estimate, counted once on arrival. */
    public long estimate;

    /** When it arrived, processing time, epoch milliseconds. */
    public long arrivedAt;

    /** When it is rejected unless it found room: arrival plus the tenant's max wait. */
    public long deadline;

    public WaitingTurn() {}

    WaitingTurn(Turn turn, long estimate, long arrivedAt, long deadline) {
        this.turn = turn;
        this.estimate = estimate;
        this.arrivedAt = arrivedAt;
        this.deadline = deadline;
    }
}
