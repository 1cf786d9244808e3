import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AUTHENTICATOR } from '@hearth/authz';
import { AccountResolver } from './account.resolver.js';
import { AccountService } from './account.service.js';
import { AgencyRepository } from './agency.repository.js';
import { AgencyResolver } from './agency.resolver.js';
import { AgencyService } from './agency.service.js';
import { AuthResolver } from './auth.resolver.js';
import { DirectoryRepository } from './directory.repository.js';
import { DirectoryResolver } from './directory.resolver.js';
import { DirectoryService } from './directory.service.js';
import { ExternalSignInController } from './external-sign-in.controller.js';
import { ExternalSignInRepository } from './external-sign-in.repository.js';
import { ExternalSignInResolver } from './external-sign-in.resolver.js';
import { ExternalSignInService } from './external-sign-in.service.js';
import { IdentifierHash } from './identifier-hash.service.js';
import { IdentityAuditRecorder } from './identity-audit.recorder.js';
import { IDENTITY_EVENTS } from './identity-events.js';
import { LoginThrottle } from './login-throttle.service.js';
import { MfaRepository } from './mfa.repository.js';
import { PasswordResetRepository } from './password-reset.repository.js';
import { PasswordService } from './password.service.js';
import { SecondFactorService } from './second-factor.service.js';
import { SessionEvents } from './session-events.js';
import { SessionRepository } from './session.repository.js';
import { SessionService } from './session.service.js';
import { IDENTITY_ENTITIES } from './tables.js';
import { TokenService } from './token.service.js';
import { UserRepository } from './user.repository.js';
import { UserResolver } from './user.resolver.js';
import { UserService } from './user.service.js';

/**
 * Accounts and sessions, without transport. SessionService is the one authenticator for HTTP
 * and sockets (the API app installs the access guard that uses it).
 */
@Module({
  imports: [TypeOrmModule.forFeature(IDENTITY_ENTITIES)],
  providers: [
    PasswordService,
    TokenService,
    IdentifierHash,
    LoginThrottle,
    UserRepository,
    AgencyRepository,
    SessionRepository,
    MfaRepository,
    PasswordResetRepository,
    ExternalSignInRepository,
    SessionEvents,
    SecondFactorService,
    SessionService,
    UserService,
    AccountService,
    AgencyService,
    ExternalSignInService,
    { provide: AUTHENTICATOR, useExisting: SessionService },
    // Identity's acts become audit entries in identity's own transaction (AuditLog is global).
    { provide: IDENTITY_EVENTS, useClass: IdentityAuditRecorder },
  ],
  exports: [
    SessionEvents,
    SessionService,
    UserService,
    AgencyService,
    UserRepository,
    AccountService,
    SecondFactorService,
    ExternalSignInService,
    IDENTITY_EVENTS,
    AUTHENTICATOR,
  ],
})
export class IdentityModule {
  /**
   * The same, with its GraphQL resolvers and the directory (which needs DIRECTORY_HOOKS from the
   * app: network knows who must never be listed).
   */
  static forApi(): DynamicModule {
    return {
      module: IdentityApiModule,
      imports: [IdentityModule],
      providers: [
        AuthResolver,
        AccountResolver,
        UserResolver,
        AgencyResolver,
        DirectoryRepository,
        DirectoryService,
        DirectoryResolver,
        ExternalSignInResolver,
      ],
      // Sign-in through an agency's identity provider: two browser redirects.
      controllers: [ExternalSignInController],
      exports: [IdentityModule],
    };
  }
}

@Module({})
class IdentityApiModule {}
