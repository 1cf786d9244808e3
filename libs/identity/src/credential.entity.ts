import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity('credentials')
export class CredentialEntity {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  /** argon2id, in its PHC string form (algorithm, parameters and salt included). */
  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
