package dev.agentstream.udfs.router;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The organism's {@code llm.strategy}: the order in which one turn tries the backends. Every
 * strategy falls back through all of them; they differ in which comes first.
 */
public enum Strategy {
    /** Priority order, always: the first backend takes everything while it can. */
    FAILOVER,
    /** Each turn starts one backend further along the priority order than the last. */
    ROUND_ROBIN,
    /** The backend with the fewest calls in flight from this subtask first; priority on ties. */
    LEAST_LOADED;

    /** Reads {@code failover}, {@code round-robin} or {@code least-loaded}. */
    public static Strategy of(String name) {
        return valueOf(name.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
    }

    /** The order for the next turn over {@code routes}, which are in priority order. */
    List<Route> order(List<Route> routes, AtomicLong turns) {
        switch (this) {
            case ROUND_ROBIN:
                int first = (int) Math.floorMod(turns.getAndIncrement(), (long) routes.size());
                List<Route> rotated = new ArrayList<>(routes.size());
                for (int i = 0; i < routes.size(); i++) {
                    rotated.add(routes.get((first + i) % routes.size()));
                }
                return rotated;
            case LEAST_LOADED:
                // Loads change while other turns' calls start and end: sort a snapshot, or the
                // sort sees an order that contradicts itself and throws.
                int[] load = new int[routes.size()];
                List<Integer> indices = new ArrayList<>(routes.size());
                for (int i = 0; i < load.length; i++) {
                    load[i] = routes.get(i).inFlight().get();
                    indices.add(i);
                }
                indices.sort(Comparator.comparingInt(i -> load[i])); // stable: priority on ties
                List<Route> byLoad = new ArrayList<>(routes.size());
                indices.forEach(i -> byLoad.add(routes.get(i)));
                return byLoad;
            default:
                return routes;
        }
    }
}
