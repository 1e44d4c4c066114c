// Where the bench's sink nodes hand their messages to the driver. Node-RED
// loads the sink node from the user directory; it requires the same compiled
// module as the driver, so both see this one map.
import type { NodeMessage } from 'node-red';

export type Listener = (msg: NodeMessage & Record<string, unknown>) => void;

const listeners = new Map<string, Listener>();

/** Messages reaching sink node `id` go to `listener` (replacing any earlier one). */
export function listen(id: string, listener: Listener): void {
    listeners.set(id, listener);
}

export function deliver(id: string, msg: NodeMessage): void {
    listeners.get(id)?.(msg as NodeMessage & Record<string, unknown>);
}
