import { Global, Module, type DynamicModule } from '@nestjs/common';
import { CLOCK, systemClock } from './clock.js';
import type { HearthConfig } from './config.js';

/** Injection token for the validated configuration. */
export const HEARTH_CONFIG = Symbol('HEARTH_CONFIG');

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: HearthConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: HEARTH_CONFIG, useValue: config },
        { provide: CLOCK, useValue: systemClock },
      ],
      exports: [HEARTH_CONFIG, CLOCK],
    };
  }
}
