import { Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AccessGuard, AUTHENTICATOR, RefusalInterceptor } from '@hearth/authz';
import { AgencyEntity } from './agency.entity.js';
import { AgencyResolver } from './agency.resolver.js';
import { AgencyService } from './agency.service.js';
import { AuthResolver } from './auth.resolver.js';
import { CredentialEntity } from './credential.entity.js';
import { LoginThrottle } from './login-throttle.service.js';
import { PasswordService } from './password.service.js';
import { RefreshTokenEntity, SessionEntity } from './session.entity.js';
import { SessionEvents } from './session-events.js';
import { SessionService } from './session.service.js';
import { TokenService } from './token.service.js';
import { UserEntity } from './user.entity.js';
import { UserRepository } from './user.repository.js';
import { UserResolver } from './user.resolver.js';
import { UserService } from './user.service.js';

export const IDENTITY_ENTITIES = [AgencyEntity, UserEntity, CredentialEntity, SessionEntity, RefreshTokenEntity];

/**
 * Accounts and sessions, and the global access guard: it authenticates through SessionService,
 * the one authenticator for HTTP and sockets.
 */
@Module({
  imports: [TypeOrmModule.forFeature(IDENTITY_ENTITIES)],
  providers: [
    PasswordService,
    TokenService,
    LoginThrottle,
    UserRepository,
    SessionEvents,
    SessionService,
    UserService,
    AgencyService,
    AuthResolver,
    UserResolver,
    AgencyResolver,
    { provide: AUTHENTICATOR, useExisting: SessionService },
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_INTERCEPTOR, useClass: RefusalInterceptor },
  ],
  exports: [SessionEvents, SessionService, UserService, AgencyService, UserRepository, AUTHENTICATOR],
})
export class IdentityModule {}
