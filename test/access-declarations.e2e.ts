import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, Module } from '@nestjs/common';
import { ModulesContainer, NestFactory } from '@nestjs/core';
import { Query, Resolver } from '@nestjs/graphql';
import { Authenticated, Public, undeclaredHandlers } from '@hearth/authz';
import { startTestApp, type TestApp } from './support/test-app.js';

@Resolver()
class ForgetfulResolver {
  @Query(() => String)
  secrets(): string {
    return 'leaked';
  }

  @Authenticated()
  @Query(() => String)
  careful(): string {
    return 'fine';
  }
}

@Controller('forgetful')
class ForgetfulController {
  @Get()
  open(): string {
    return 'leaked';
  }
}

@Public()
@Controller('declared')
class DeclaredController {
  @Get()
  fine(): string {
    return 'fine';
  }
}

@Module({ providers: [ForgetfulResolver], controllers: [ForgetfulController, DeclaredController] })
class FixtureModule {}

describe('deny by default', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('finds every resolver and route of Hearth declared', () => {
    expect(undeclaredHandlers(app.hearth.app.get(ModulesContainer))).toEqual([]);
  });

  it('would name a resolver or route that lost its declaration', async () => {
    const fixture = await NestFactory.createApplicationContext(FixtureModule, { logger: false });
    try {
      expect(undeclaredHandlers(fixture.get(ModulesContainer))).toEqual([
        'Query ForgetfulResolver.secrets',
        'route ForgetfulController.open',
      ]);
    } finally {
      await fixture.close();
    }
  });

  it('lets through anonymously only what is declared public', async () => {
    const anonymous = async (query: string) => (await app.gql({ query })).errors?.[0]?.extensions?.code;
    expect(await anonymous('{ version }')).toBeUndefined();
    expect(await anonymous('{ me { id } }')).toBe('UNAUTHENTICATED');
    expect(await anonymous('{ agencies { id } }')).toBe('UNAUTHENTICATED');
    expect(await anonymous('{ users { edges { cursor } } }')).toBe('UNAUTHENTICATED');
    expect(await anonymous('mutation { logout }')).toBe('UNAUTHENTICATED');
  });
});
