import { Column, Entity, ForeignKey, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('credentials')
export class CredentialEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  @ForeignKey('users', { name: 'credentials_user_id_fkey' })
  userId: string;

  /** argon2id, in its PHC string form (algorithm, parameters and salt included). */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
