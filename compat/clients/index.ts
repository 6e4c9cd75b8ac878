// Every client the suite checks, in the order they run and appear in the matrix.
import type { ClientSuite } from '../lib/scenario.js';
import { confluentKafkaSuite } from './confluent-kafka.js';
import { creekCliSuite } from './creek-cli.js';
import { javaSuites } from './java.js';
import { kafkajsSuite } from './kafkajs.js';
import { kafkaPythonSuite } from './kafka-python.js';
import { kcatSuite } from './kcat.js';
import { platformaticSuite } from './platformatic.js';

export const clients: readonly ClientSuite[] = [kafkajsSuite, platformaticSuite, kcatSuite, kafkaPythonSuite, confluentKafkaSuite, ...javaSuites, creekCliSuite];
