// The AMQP side of the hub: the broker connection (reconnect, back-off, topology re-asserted on
// every connect) and, as it grows, the relay between agencies. Durability lives in the database
// outbox, never in this process's memory.
export { createBrokerConnection, type BrokerConnection, type BrokerState } from './broker-connection.ts';
