// An embedded broker (startBroker) takes test-friendly defaults for settings that only make a test
// suite wait; options override them, and the `creek` command keeps Kafka's defaults.
import { ConfigResourceTypes } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { startBroker } from '../../src/broker.js';
import { kafkaFor } from '../helpers/broker.js';
import { startCli } from '../helpers/cli.js';

/** group.initial.rebalance.delay.ms as DescribeConfigs reports it. */
async function rebalanceDelay(broker: { bootstrap: string }): Promise<string | undefined> {
  const admin = kafkaFor(broker).admin();
  await admin.connect();
  try {
    const { resources } = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.BROKER, name: '1', configNames: ['group.initial.rebalance.delay.ms'] }],
      includeSynonyms: false,
    });
    return resources[0]!.configEntries.find((e) => e.configName === 'group.initial.rebalance.delay.ms')?.configValue;
  } finally {
    await admin.disconnect();
  }
}

describe('embedded defaults', () => {
  it('startBroker() starts empty groups without the initial rebalance delay', async () => {
    const broker = await startBroker({ logLevel: 'silent' });
    try {
      expect(broker.broker.config.groupInitialRebalanceDelayMs).toBe(0);
      expect(await rebalanceDelay(broker)).toBe('0');
    } finally {
      await broker.stop();
    }
  });

  it('properties override the embedded default', async () => {
    const broker = await startBroker({ logLevel: 'silent', properties: { 'group.initial.rebalance.delay.ms': 3000 } });
    try {
      expect(broker.broker.config.groupInitialRebalanceDelayMs).toBe(3000);
      expect(await rebalanceDelay(broker)).toBe('3000');
    } finally {
      await broker.stop();
    }
  });

  it("the creek command keeps Kafka's default of 3000 ms", async () => {
    const cli = await startCli(['--memory', '--port', '0', '--log-level', 'warn']);
    try {
      expect(await rebalanceDelay(cli)).toBe('3000');
    } finally {
      await cli.stop();
    }
  });
});
