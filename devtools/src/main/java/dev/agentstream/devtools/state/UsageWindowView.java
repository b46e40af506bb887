package dev.agentstream.devtools.state;

import dev.agentstream.udfs.billing.UsageTotalsFunction;
import dev.agentstream.udfs.billing.UsageTotalsFunction.WindowMark;

import java.io.IOException;
import java.io.UncheckedIOException;

/** One key of the usage-totals operator: a tenant's minute window and its usage records. */
final class UsageWindowView {

    private UsageWindowView() {}

    /**
     * True when the window holds usage records its last total written did not count (or it wrote
     * none): the job writes that total at its next flush, and a savepoint rewritten without the
     * window never will.
     */
    static boolean unbilled(KeyState key) {
        int records = key.entriesOf(UsageTotalsFunction.RECORDS).size();
        if (records == 0) {
            return false;
        }
        StateSpec spec = Layouts.USAGE_TOTALS.state(UsageTotalsFunction.MARK).orElseThrow();
        WindowMark mark = null;
        for (StateEntry entry : key.entriesOf(UsageTotalsFunction.MARK)) {
            try {
                mark = (WindowMark) spec.decodeValue(entry.value);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot decode the window " + key.key, e);
            }
        }
        return mark == null || mark.emitted != records;
    }
}
